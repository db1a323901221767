// Browser-side signup validation; the server applies the same rules and messages.
"use strict";
(function () {
  const form = document.getElementById("signup-form");
  if (!form) return;
  const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
  const rejectUppercase = form.dataset.rejectUppercase === "true";

  function firstError() {
    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
    const confirm = form.elements.confirm_password.value;
    if (!EMAIL_RE.test(email)) return ["email", "Please enter a valid email address."];
    // uppercase-email fault: a deliberately wrong rule
    if (rejectUppercase && email !== email.toLowerCase()) return ["email", "unknown email format"];
    if (password.length < 8) return ["password", "Password must be at least 8 characters."];
    if (password !== confirm) return ["confirm_password", "Passwords do not match."];
    return null;
  }

  function showError(message) {
    const box = document.getElementById("form-error");
    const p = document.createElement("p");
    p.textContent = message;
    box.replaceChildren(p);
    box.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    const problem = firstError();
    if (!problem) return;
    event.preventDefault();
    showError(problem[1]);
    form.elements[problem[0]].focus();
  });
})();
