els => { els.forEach(e => e.remove()); return els.length; }
