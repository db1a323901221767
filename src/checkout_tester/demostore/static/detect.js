// Scripts of the detector pages (demostore/detect_pages.py) and of the cart-confirm-remove fault.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);

  // aria style signup: the browser-side check (when the email changes, and on submit) marks the field
  // aria-invalid and fills its aria-errormessage.
  const signup = $("signup-form");
  if (signup && signup.dataset.style === "aria") {
    const email = signup.elements.email;
    const check = function () {
      const ok = /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.value.trim());
      const message = $("email-message");
      email.setAttribute("aria-invalid", ok ? "false" : "true");
      message.textContent = ok ? "" : "That does not look like an email address.";
      message.hidden = ok;
      return ok;
    };
    email.addEventListener("change", check);
    signup.addEventListener("submit", function (event) { if (!check()) event.preventDefault(); });
  }

  // saucedemo-style login: the error container gets an h3 data-test=error, the page does not change.
  const login = $("sauce-login");
  if (login) {
    login.addEventListener("submit", function (event) {
      event.preventDefault();
      const users = JSON.parse(login.dataset.users);
      const user = $("user-name").value;
      const state = $("password").value === "secret_sauce" ? users[user] : undefined;
      if (state === "ok") { window.location.href = login.dataset.next; return; }
      const box = login.querySelector(".error-message-container");
      const h3 = document.createElement("h3");
      h3.setAttribute("data-test", "error");
      h3.textContent = state === "locked" ? login.dataset.locked : login.dataset.noMatch;
      box.replaceChildren(h3);
      box.classList.add("error");
    });
  }

  // Coupons: EXPIRED alerts, SAVE10 succeeds (role=alert with a success class), others fail politely.
  const coupon = $("coupon-form");
  if (coupon) {
    coupon.addEventListener("submit", function (event) {
      event.preventDefault();
      const code = $("coupon").value.trim().toUpperCase();
      const message = $("coupon-message");
      const applied = $("coupon-applied");
      if (code === "EXPIRED") { alert("Coupon expired"); return; }
      if (code === "SAVE10") {
        message.textContent = "";
        message.className = "coupon-message";
        applied.textContent = "Coupon applied: 10% off your order.";
        applied.hidden = false;
        return;
      }
      applied.hidden = true;
      message.textContent = "We do not know the code " + code + ".";
      message.className = "coupon-message is-error";
    });
    $("gift-card").addEventListener("click", function () {
      const number = prompt("Gift card number?", "");
      $("gift-card-result").textContent = number ? "Gift card " + number + " has $20.00 left." : "No gift card checked.";
    });
    for (const button of document.querySelectorAll(".forget")) {
      button.addEventListener("click", function () {
        if (!confirm("Forget coupon WELCOME5?")) return;
        button.closest("li").remove();
        alert("Coupon WELCOME5 forgotten.");
        $("forgotten").textContent = "Forgot WELCOME5.";
      });
    }
  }

  // Notes: once something is typed, leaving asks first.
  const note = $("note");
  if (note) {
    note.addEventListener("input", function () {
      window.onbeforeunload = note.value ? (event) => { event.preventDefault(); event.returnValue = ""; } : null;
    });
  }

  // cart-confirm-remove fault: removing a cart line asks first.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", function (event) {
      if (!confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
})();
