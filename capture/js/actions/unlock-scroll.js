(css) => {
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
}
