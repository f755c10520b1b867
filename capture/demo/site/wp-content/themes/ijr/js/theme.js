/* IJR theme scripts: tabs, sticky header, off-canvas menu, lazy images, share counts. */
(function () {
  "use strict";

  function formatCount(n) {
    if (n >= 1000000) { return (n / 1000000).toFixed(1).replace(/\.0$/, "") + "m"; }
    if (n >= 1000) { return (n / 1000).toFixed(1).replace(/\.0$/, "") + "k"; }
    return String(n);
  }

  function initTabs() {
    document.querySelectorAll(".widget-post-tabs").forEach(function (widget) {
      var tabs = widget.querySelectorAll(".tab");
      var panels = widget.querySelectorAll(".tab-panel");
      tabs.forEach(function (tab) {
        tab.addEventListener("click", function () {
          var name = tab.getAttribute("data-tab");
          var panel = widget.querySelector('.tab-panel[data-panel="' + name + '"]') || panels[0];
          tabs.forEach(function (t) {
            t.classList.toggle("is-active", t === tab);
            t.setAttribute("aria-selected", t === tab ? "true" : "false");
          });
          panels.forEach(function (p) { p.hidden = p !== panel; });
        });
      });
    });
  }

  function initStickyHeader() {
    var sticky = document.querySelector(".sticky-header");
    if (!sticky) { return; }
    var onScroll = function () {
      sticky.classList.toggle("is-visible", window.scrollY > 400);
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    onScroll();
  }

  function initOffcanvas() {
    var panel = document.getElementById("offcanvas-menu");
    var toggle = document.querySelector(".menu-toggle");
    if (!panel || !toggle) { return; }
    var setOpen = function (open) {
      panel.classList.toggle("is-open", open);
      panel.setAttribute("aria-hidden", open ? "false" : "true");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    toggle.addEventListener("click", function () { setOpen(true); });
    panel.querySelector(".offcanvas__close").addEventListener("click", function () { setOpen(false); });
  }

  function initLiveSearch() {
    document.querySelectorAll(".header-search").forEach(function (form) {
      var input = form.querySelector('input[type="search"]');
      var results = form.querySelector(".search-live-results");
      if (!input || !results) { return; }
      input.addEventListener("input", function () { results.hidden = input.value.length < 3; });
      input.addEventListener("blur", function () { results.hidden = true; });
    });
  }

  /* Images marked .lazyload carry their real URL in data-src until they come near the viewport. */
  function initLazyImages() {
    var images = document.querySelectorAll("img.lazyload[data-src]");
    var reveal = function (img) {
      img.src = img.getAttribute("data-src");
      img.removeAttribute("data-src");
      img.classList.remove("lazyload");
      img.classList.add("lazyloaded");
    };
    if (!("IntersectionObserver" in window)) { images.forEach(reveal); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          reveal(entry.target);
        }
      });
    }, { rootMargin: "200px 0px" });
    images.forEach(function (img) { observer.observe(img); });
  }

  function initShareCounts() {
    var post = window.ijrPost;
    if (!post || !post.statsUrl) { return; }
    fetch(post.statsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("share counts: HTTP " + response.status); }
        return response.json();
      })
      .then(function (stats) {
        document.querySelectorAll("[data-stat]").forEach(function (el) {
          var value = stats[el.getAttribute("data-stat")];
          if (typeof value === "number") { el.textContent = formatCount(value); }
        });
      })
      .catch(function (error) { console.warn(error); });
  }

  function countView() {
    var post = window.ijrPost;
    if (!post || !post.ajaxUrl) { return; }
    var body = new URLSearchParams({ action: "ijr_post_view", post_id: String(post.id) });
    fetch(post.ajaxUrl, { method: "POST", body: body, credentials: "same-origin" })
      .catch(function () { /* a missed view is not worth an error */ });
  }

  function initShareButtons() {
    document.querySelectorAll(".share-button[data-network]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        button.classList.add("is-shared");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initTabs();
    initStickyHeader();
    initOffcanvas();
    initLiveSearch();
    initLazyImages();
    initShareButtons();
    initShareCounts();
    countView();
  });
})();
