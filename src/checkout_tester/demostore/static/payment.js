// Payment page: finishes card payments reported by the card iframe and runs the WalletPay popup.
"use strict";
(function () {
  // Under the checkout-js-error fault this element is missing and the next line throws a TypeError.
  const options = document.getElementById("payment-options").dataset;
  const statusBox = document.getElementById("payment-status");
  const errorBox = document.getElementById("form-error");
  const walletButton = document.getElementById("wallet-button");
  let busy = false;

  function showStatus(message) {
    statusBox.textContent = message;
    statusBox.hidden = !message;
  }

  function showError(message) {
    showStatus("");
    const p = document.createElement("p");
    p.textContent = message;
    errorBox.replaceChildren(p);
    errorBox.hidden = false;
  }

  function clearError() {
    errorBox.replaceChildren();
    errorBox.hidden = true;
  }

  async function complete(url, token) {
    if (busy) return;
    busy = true;
    clearError();
    showStatus("Finishing your order…");
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ token: token }),
      });
      const data = await response.json();
      if (response.ok && data.ok) {
        window.location.assign(data.redirect);
        return;
      }
      showError(data.error || "Payment failed. Please try again.");
    } catch (err) {
      showError("Payment failed. Please try again.");
    }
    busy = false;
  }

  window.addEventListener("message", function (event) {
    const data = event.data || {};
    if (event.origin === window.location.origin && data.type === "card" && data.status === "succeeded") {
      complete(options.cardCompleteUrl, data.token);
    } else if (event.origin === options.walletOrigin && data.type === "wallet") {
      if (data.status === "approved") {
        complete(options.walletCompleteUrl, data.token);
      } else if (data.status === "cancelled") {
        showError("Wallet payment was cancelled.");
      }
    }
  });

  walletButton.addEventListener("click", function () {
    clearError();
    const popup = window.open(options.authorizeUrl, "walletpay", "popup,width=480,height=640");
    if (!popup) {
      showError("Please allow pop-ups to pay with WalletPay.");
    }
  });

  // Ready: load the card form and enable the wallet button only now that their answers are heard.
  const cardFrame = document.querySelector("iframe.card-frame");
  cardFrame.src = cardFrame.dataset.src;
  walletButton.disabled = false;
})();
