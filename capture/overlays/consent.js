// Set up one frame for DuckDuckGo's autoconsent: the message channel the bundle talks to, a
// record of the elements it clicks, and a promise that settles when it is done with the frame.
// Evaluated before the bundle; `window.__captureConsent.outcome()` is awaited after it.
({ rules, config, action, detectMs, actMs }) => {
  const parsed = JSON.parse(rules);
  const state = { outcome: null, cmp: null, popup: false, clicks: [], cosmetic: false, errors: [] };
  let settle;
  const settled = new Promise((resolve) => { settle = resolve; });
  const originalClick = HTMLElement.prototype.click;
  const finish = (outcome) => {
    if (state.outcome) { return; }
    state.outcome = outcome;
    HTMLElement.prototype.click = originalClick;
    const style = document.querySelector("style#autoconsent-css-rules");
    state.hidden = style ? style.textContent.replace(/\{[^}]*\}/g, "").trim().slice(0, 300) : "";
    settle(outcome);
  };
  let timer = setTimeout(() => finish("timeout"), detectMs);
  const restart = (ms, outcome) => {
    clearTimeout(timer);
    timer = setTimeout(() => finish(outcome), ms);
  };

  const describe = (el) => {
    if (el.id) { return "#" + CSS.escape(el.id); }
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
      if (node.id) { parts.unshift("#" + CSS.escape(node.id)); break; }
      const classes = [...node.classList].slice(0, 2).map((c) => "." + CSS.escape(c)).join("");
      parts.unshift(node.localName + classes);
    }
    return parts.join(" > ");
  };
  // Record what autoconsent clicks, so the intervention log can name the elements.
  HTMLElement.prototype.click = function () {
    state.clicks.push(describe(this));
    return originalClick.apply(this, arguments);
  };

  window.autoconsentSendMessage = (msg) => {
    switch (msg.type) {
      case "init":
        // The bundle sends init from its constructor, before it exposes its receiver.
        setTimeout(() => window.autoconsentReceiveMessage({
          type: "initResp", config, rules: { autoconsent: parsed },
        }), 0);
        break;
      case "cmpDetected":
        state.cmp = state.cmp || msg.cmp;
        restart(detectMs, "no-popup");
        break;
      case "popupFound":
        if (state.outcome || state.popup) { break; }
        state.cmp = msg.cmp;
        state.popup = true;
        restart(actMs, "timeout");
        // autoAction is off, so nothing is clicked once this frame's outcome is settled. The
        // bundle picks the platform up just after this message: ask on the next task.
        setTimeout(() => { if (!state.outcome) { window.autoconsentReceiveMessage({ type: action }); } }, 0);
        break;
      case "optInResult":
      case "optOutResult":
        if (!msg.result) { finish("failed"); }
        break;
      case "autoconsentDone":
        state.cosmetic = Boolean(msg.isCosmetic);
        finish("done");
        break;
      case "autoconsentError":
        state.errors.push(String(msg.details && msg.details.msg || "error"));
        break;
      case "report":
        if (msg.state && msg.state.lifecycle === "nothingDetected") { finish("none"); }
        break;
      default:
        break;
    }
    return Promise.resolve();
  };
  delete window.autoconsentReceiveMessage;
  window.__captureConsent = {
    outcome: () => settled.then(() => {
      clearTimeout(timer);
      return {
        outcome: state.outcome, cmp: state.cmp, popup: state.popup, clicks: state.clicks,
        cosmetic: state.cosmetic, hidden: state.hidden, errors: state.errors,
      };
    }),
  };
  return true;
}
