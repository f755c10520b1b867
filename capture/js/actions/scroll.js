async (maxSteps) => {
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
}
