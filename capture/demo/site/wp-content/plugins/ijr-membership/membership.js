/* IJR membership: the login popup and the registration wall, both shown after the page loads. */
(function () {
  "use strict";

  var LOGIN_AFTER_LOAD_MS = 1000;
  var WALL_AFTER_LOAD_MS = 1500;
  var MEMBER_COOKIE = "ijr_member";

  function isMember() {
    return document.cookie.split("; ").some(function (c) { return c.indexOf(MEMBER_COOKIE + "=") === 0; });
  }

  /* Login popup, in the markup of the Magnific Popup library the theme bundles. */
  var popup = null;

  function closeLogin() {
    if (!popup) { return; }
    var form = popup.wrap.querySelector("#login-form");
    popup.close.remove();
    form.classList.add("mfp-hide");
    popup.home.appendChild(form);
    popup.bg.remove();
    popup.wrap.remove();
    document.body.classList.remove("modal-open");
    document.removeEventListener("keydown", onKey);
    popup = null;
  }

  function onKey(event) {
    if (event.key === "Escape") { closeLogin(); }
  }

  function openLogin() {
    var form = document.getElementById("login-form");
    if (popup || !form) { return; }
    var bg = document.createElement("div");
    bg.className = "mfp-bg mfp-ready";
    var wrap = document.createElement("div");
    wrap.className = "mfp-wrap mfp-ready";
    wrap.setAttribute("tabindex", "-1");
    wrap.setAttribute("role", "dialog");
    wrap.setAttribute("aria-modal", "true");
    wrap.innerHTML = '<div class="mfp-container"><div class="mfp-content"></div></div>';
    var close = document.createElement("button");
    close.type = "button";
    close.className = "mfp-close";
    close.title = "Close (Esc)";
    close.textContent = "\u00d7";
    var content = wrap.querySelector(".mfp-content");
    popup = { bg: bg, wrap: wrap, close: close, home: form.parentNode };
    form.classList.remove("mfp-hide");
    content.appendChild(form);
    form.appendChild(close);
    close.addEventListener("click", closeLogin);
    wrap.addEventListener("click", function (event) {
      if (event.target === wrap || event.target.classList.contains("mfp-container")) { closeLogin(); }
    });
    form.querySelector(".login-popup__forgot").addEventListener("click", function (event) {
      event.preventDefault();
      form.querySelector(".login-panel--forgot").hidden = false;
    });
    form.querySelector("form").addEventListener("submit", function (event) { event.preventDefault(); });
    document.body.appendChild(bg);
    document.body.appendChild(wrap);
    document.body.classList.add("modal-open");
    document.addEventListener("keydown", onKey);
  }

  /* Registration wall: covers the lower part of the window and stops the page from scrolling. */
  function lockScroll(wall) {
    var roots = [document.documentElement, document.body];
    var apply = function () {
      if (!wall.isConnected) { return; }
      roots.forEach(function (el) {
        if (el.style.overflow !== "hidden") { el.style.overflow = "hidden"; }
      });
    };
    apply();
    /* Keep the page locked while the wall is up, as the vendor script does. */
    var observer = new MutationObserver(function () {
      if (!wall.isConnected) { observer.disconnect(); return; }
      apply();
    });
    roots.forEach(function (el) {
      observer.observe(el, { attributes: true, attributeFilter: ["style", "class"] });
    });
  }

  function unlockScroll() {
    document.documentElement.style.removeProperty("overflow");
    document.body.style.removeProperty("overflow");
    document.body.classList.remove("regwall-active");
  }

  function buildWall() {
    var wall = document.createElement("div");
    wall.id = "ijr-regwall";
    wall.className = "regwall";
    wall.setAttribute("role", "dialog");
    wall.setAttribute("aria-modal", "true");
    wall.setAttribute("aria-labelledby", "ijr-regwall-title");
    wall.innerHTML =
      '<div class="regwall__fade"></div>' +
      '<div class="regwall__panel">' +
      '<img class="regwall__logo" src="/wp-content/uploads/2019/10/ijr-logo.png" width="50" height="32" alt="IJR">' +
      '<h2 id="ijr-regwall-title" class="regwall__title">Thanks for reading IJR</h2>' +
      '<p class="regwall__lead">Create your free account or log in to continue reading</p>' +
      '<form class="regwall__form" novalidate>' +
      '<label class="screen-reader-text" for="ijr-regwall-email">Email address</label>' +
      '<input id="ijr-regwall-email" class="regwall__email" type="email" name="email" placeholder="Email address" autocomplete="email">' +
      '<button type="submit" class="regwall__submit">Continue</button>' +
      '<p class="regwall__error" hidden>Please enter a valid email</p>' +
      "</form>" +
      '<p class="regwall__forgot"><a href="/my-account/lost-password/">Forgot password?</a></p>' +
      '<p class="regwall__legal">By providing your information, you are entitled to Independent ' +
      "Journal Review`s email news updates free of charge. You also agree to our " +
      '<a href="/privacy-policy/">Privacy Policy</a> and newsletter email usage</p>' +
      "</div>";
    wall.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      var email = wall.querySelector(".regwall__email").value.trim();
      var valid = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
      wall.querySelector(".regwall__error").hidden = valid;
      if (!valid) { return; }
      document.cookie = MEMBER_COOKIE + "=1; path=/; max-age=31536000; SameSite=Lax";
      wall.remove();
      unlockScroll();
    });
    return wall;
  }

  function showWall() {
    if (document.getElementById("ijr-regwall")) { return; }
    var wall = buildWall();
    document.body.appendChild(wall);
    document.body.classList.add("regwall-active");
    lockScroll(wall);
  }

  window.addEventListener("load", function () {
    if (isMember()) { return; }
    window.setTimeout(openLogin, LOGIN_AFTER_LOAD_MS);
    window.setTimeout(showWall, WALL_AFTER_LOAD_MS);
  });
})();
