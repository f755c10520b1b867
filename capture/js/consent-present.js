(json) => JSON.parse(json).flatMap((selector, index) => {
  // Which consent rules' gates match in a frame, by index (a selector the browser rejects counts
  // as matching). The selectors come as one JSON string and only the matches go back: a list of
  // hundreds of values costs more to pass through Playwright than the lookups cost the page.
  try { return document.querySelector(selector) === null ? [] : [index]; }
  catch (e) { return [index]; }
})
