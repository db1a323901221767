// Mini app: a client-side router. Links change the URL with history.pushState and render a view;
// the Orders view fetches its data first (delay it with slow:/timing/api/orders:MS).
"use strict";
(function () {
  const view = document.getElementById("view");
  const base = "/timing/app";

  function show(title, lines) {
    const heading = document.createElement("h2");
    heading.textContent = title;
    const list = document.createElement("ul");
    for (const line of lines) {
      const item = document.createElement("li");
      item.textContent = line;
      list.append(item);
    }
    view.replaceChildren(heading, list);
  }

  async function render(path) {
    const name = path.slice(base.length).replace(/^\/+|\/+$/g, "");
    if (name === "") {
      show("Welcome to the mini app", ["Pick a view above."]);
    } else if (name === "about") {
      show("About the mini app", ["One document, many views.", "Routed with history.pushState."]);
    } else if (name === "orders") {
      view.replaceChildren(Object.assign(document.createElement("p"), { textContent: "Loading orders…" }));
      const response = await fetch("/timing/api/orders", { credentials: "same-origin" });
      const data = await response.json();
      show(data.orders.length + " orders", data.orders.map(o => o.number + ": " + o.items));
    } else {
      show("No such view", [name]);
    }
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-route]");
    if (!link) return;
    event.preventDefault();
    history.pushState({}, "", link.getAttribute("href"));
    render(location.pathname);
  });
  window.addEventListener("popstate", function () { render(location.pathname); });
  render(location.pathname);
})();
