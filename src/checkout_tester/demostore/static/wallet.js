// WalletPay popup: record the decision with the gateway, tell the shop (opener), close.
"use strict";
(function () {
  const actions = document.getElementById("wallet-actions");
  const errorBox = document.getElementById("wallet-error");
  const token = actions.dataset.token;
  const amount = Number(actions.dataset.amount);
  const origin = actions.dataset.origin;
  const buttons = actions.querySelectorAll("button");

  function setBusy(busy) {
    buttons.forEach(function (b) { b.disabled = busy; });
  }

  async function record(decision) {
    const response = await fetch("/api/payments/" + encodeURIComponent(token) + "/" + decision, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ amount: amount, origin: origin }),
    });
    if (!response.ok) throw new Error("WalletPay answered " + response.status);
  }

  function notifyAndClose(status) {
    if (window.opener) {
      // targetOrigin keeps the message from reaching any other site
      window.opener.postMessage({ type: "wallet", status: status, token: token }, origin);
    }
    window.close();
  }

  document.getElementById("approve").addEventListener("click", async function () {
    setBusy(true);
    try {
      await record("approve");
    } catch (err) {
      errorBox.textContent = "WalletPay could not process the payment. Please try again.";
      errorBox.hidden = false;
      setBusy(false);
      return;
    }
    notifyAndClose("approved");
  });

  document.getElementById("cancel").addEventListener("click", async function () {
    setBusy(true);
    try {
      await record("cancel");
    } catch (err) {
      // cancelling must work even when the gateway API is failing
    }
    notifyAndClose("cancelled");
  });
})();
