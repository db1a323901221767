// Quick basket: "Add" posts JSON with fetch and updates the counter when the answer comes.
"use strict";
(function () {
  const button = document.getElementById("basket-add");
  const counter = document.querySelector("[data-testid=basket-count]");
  button.addEventListener("click", async function () {
    const response = await fetch("/timing/api/basket", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ item: button.dataset.item }),
    });
    const data = await response.json();
    counter.textContent = "Basket: " + data.count;
  });
})();
