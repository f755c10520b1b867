(items) => {
  if (window.top !== window) { return; }
  try {
    for (const [key, value] of Object.entries(items)) { window.localStorage.setItem(key, value); }
  } catch (e) { /* storage disabled on this origin */ }
}
