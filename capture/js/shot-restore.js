() => { if (window.__captureShotRestore) window.__captureShotRestore(); }
