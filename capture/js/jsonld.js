() => [...document.querySelectorAll('script[type="application/ld+json"]')]
  .map((s) => s.textContent || "")
