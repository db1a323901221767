// Card iframe: tell the payment page (same origin) when the card was approved.
"use strict";
(function () {
  const approved = document.getElementById("card-approved");
  if (approved && window.parent !== window) {
    window.parent.postMessage(
      { type: "card", status: "succeeded", token: approved.dataset.token },
      window.location.origin
    );
  }
})();
