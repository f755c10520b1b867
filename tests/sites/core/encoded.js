// Served brotli-encoded by the core fixture site.
document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("status").textContent = "the brotli-encoded script ran";
});
