(root) => {
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
}
