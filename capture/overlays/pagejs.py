"""The page JavaScript the site actions run; each returns a count or a short fact to record."""

from __future__ import annotations

REMOVE_JS = "els => { els.forEach(e => e.remove()); return els.length; }"

HIDE_JS = """els => {
  els.forEach(e => e.style.setProperty('display', 'none', 'important'));
  return els.length;
}"""

REMOVE_CLASS_JS = """(els, names) => {
  els.forEach(e => e.classList.remove(...names));
  return els.length;
}"""

SET_STYLE_JS = """(els, style) => {
  for (const e of els) {
    for (const [k, v] of Object.entries(style)) { e.style.setProperty(k, v, 'important'); }
  }
  return els.length;
}"""

UNLOCK_SCROLL_CSS = """html, body {
  overflow: visible !important; overflow-x: visible !important; overflow-y: visible !important;
  height: auto !important; max-height: none !important;
}"""

UNLOCK_SCROLL_JS = """(css) => {
  const locks = ['modal-open', 'no-scroll', 'noscroll', 'overflow-hidden', 'scroll-lock',
    'is-locked', 'has-modal', 'disable-scroll', 'tp-modal-open', 'regwall-active'];
  const changed = [];
  for (const el of [document.documentElement, document.body].filter(Boolean)) {
    for (const name of locks) {
      if (el.classList.contains(name)) { el.classList.remove(name); changed.push('.' + name); }
    }
    for (const prop of ['overflow', 'overflow-x', 'overflow-y', 'height', 'max-height']) {
      if (el.style.getPropertyValue(prop)) { el.style.removeProperty(prop); changed.push(prop); }
    }
    if (getComputedStyle(el).position === 'fixed') {
      const top = parseFloat(el.style.top || '0') || 0;
      el.style.setProperty('position', 'static', 'important');
      el.style.removeProperty('top');
      if (top < 0) { window.scrollTo(0, -top); }
      changed.push('position');
    }
  }
  const style = document.createElement('style');
  style.setAttribute('data-capture', 'unlock_scroll');
  style.textContent = css;
  (document.head || document.documentElement).appendChild(style);
  return changed;
}"""

UNCLAMP_JS = """(root) => {
  const scope = root ? document.querySelectorAll(root) : [document.body];
  let lifted = 0, clamps = 0, fades = 0;
  const isFade = (el, cs) => (cs.position === 'absolute' || cs.position === 'sticky' ||
      cs.position === 'fixed') && cs.backgroundImage.includes('gradient') &&
      !el.querySelector('p, img, video');
  for (const top of scope) {
    for (const el of [top, ...top.querySelectorAll('*')]) {
      const cs = getComputedStyle(el);
      if (isFade(el, cs)) {
        el.style.setProperty('display', 'none', 'important'); fades += 1; continue;
      }
      if (cs.webkitLineClamp && cs.webkitLineClamp !== 'none') {
        el.style.setProperty('-webkit-line-clamp', 'unset', 'important');
        el.style.setProperty('line-clamp', 'unset', 'important');
        el.style.setProperty('display', 'block', 'important');
        el.style.setProperty('overflow', 'visible', 'important');
        clamps += 1; continue;
      }
      const clipped = el.scrollHeight > el.clientHeight + 2 &&
        (cs.overflowY === 'hidden' || cs.overflowY === 'clip');
      if (clipped && el !== document.body && el !== document.documentElement &&
          (cs.maxHeight !== 'none' || el.style.height || cs.height !== 'auto')) {
        el.style.setProperty('max-height', 'none', 'important');
        el.style.setProperty('height', 'auto', 'important');
        el.style.setProperty('overflow', 'visible', 'important');
        lifted += 1;
      }
    }
  }
  return {lifted, clamps, fades};
}"""

SCROLL_JS = """async (maxSteps) => {
  const pause = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 150)));
  const height = () => Math.max(document.documentElement.scrollHeight,
    document.body ? document.body.scrollHeight : 0);
  let steps = 0, stable = 0, last = height();
  while (steps < maxSteps && stable < 2) {
    window.scrollBy({top: window.innerHeight, behavior: 'instant'});
    steps += 1;
    await pause();
    const now = height();
    const atBottom = window.scrollY + window.innerHeight >= now - 2;
    stable = atBottom && now === last ? stable + 1 : 0;
    last = now;
  }
  window.scrollTo({top: 0, behavior: 'instant'});
  await pause();
  return {steps, height: last};
}"""

LOCAL_STORAGE_JS = """(items) => {
  if (window.top !== window) { return; }
  try {
    for (const [key, value] of Object.entries(items)) { window.localStorage.setItem(key, value); }
  } catch (e) { /* storage disabled on this origin */ }
}"""

FORGET_PASSWORDS_JS = """() => {
  for (const el of document.querySelectorAll('input[type=password]')) {
    el.value = ''; el.removeAttribute('value');
  }
}"""
