/* IJR cookie consent: a banner fixed to the bottom of the window, added after the page loads. */
(function () {
  "use strict";

  var COOKIE = "ijr_consent";
  var SHOW_AFTER_LOAD_MS = 300;

  function readCookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function remember(choice) {
    var maxAge = 60 * 60 * 24 * 180;
    document.cookie = COOKIE + "=" + choice + "; path=/; max-age=" + maxAge + "; SameSite=Lax";
  }

  function buildBanner() {
    var banner = document.createElement("div");
    banner.id = "ijr-cookie-consent";
    banner.className = "cookie-consent";
    banner.setAttribute("role", "dialog");
    banner.setAttribute("aria-live", "polite");
    banner.setAttribute("aria-label", "Cookie consent");
    banner.innerHTML =
      '<div class="cookie-consent__inner">' +
      '<p class="cookie-consent__text">We use cookies to give you the best experience on our site, ' +
      "to personalise content and ads, and to analyse our traffic. You can accept all cookies or " +
      "reject those that are not strictly necessary. " +
      '<a href="/privacy-policy/" class="cookie-consent__link">Privacy Policy</a></p>' +
      '<div class="cookie-consent__actions">' +
      '<button type="button" class="cookie-consent__button cookie-consent__reject" data-consent="rejected">Reject</button>' +
      '<button type="button" class="cookie-consent__button cookie-consent__accept" data-consent="accepted">Accept</button>' +
      "</div></div>";
    banner.addEventListener("click", function (event) {
      var choice = event.target.getAttribute && event.target.getAttribute("data-consent");
      if (!choice) { return; }
      remember(choice);
      banner.remove();
      document.dispatchEvent(new CustomEvent("ijr:consent", { detail: { choice: choice } }));
    });
    return banner;
  }

  window.addEventListener("load", function () {
    if (readCookie(COOKIE)) { return; }
    window.setTimeout(function () {
      document.body.appendChild(buildBanner());
    }, SHOW_AFTER_LOAD_MS);
  });
})();
