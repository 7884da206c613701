// check as you type: a moment after the last keystroke, the form as it stands (unsaved) goes
// to the server, which runs the library's check on it; each item's findings replace the list
// under its fields (the fields' aria-describedby already points there), and a polite live
// region says how many there are. Nothing is saved until Lagre.
(function () {
  const form = document.getElementById("meeting-form");
  if (!form) return;
  const said = document.getElementById("live-check");
  let timer = null;
  let asked = 0;
  function fill(list, problems, general) {
    const items = problems.map(function (p) {
      const li = document.createElement("li");
      li.className = p.severity;
      li.textContent = (p.severity === "error" ? "Feil: " : "Advarsel: ") +
        (general ? p.where + ": " : "") + p.message;
      return li;
    });
    if (general && !items.length) {
      const none = document.createElement("li");
      none.textContent = "ingen";
      items.push(none);
    }
    list.replaceChildren(...items);
  }
  async function check() {
    const mine = ++asked;
    const res = await fetch(form.dataset.check, {
      method: "POST", credentials: "same-origin",
      body: new URLSearchParams(new FormData(form)),
    });
    if (!res.ok || mine !== asked) return;  // a newer check is on its way
    const found = await res.json();
    let count = 0;
    form.querySelectorAll("ul.problems").forEach(function (list) {
      const index = list.id.replace("funn-", "");
      const problems = index === "generelt" ? found.general : (found.items[index] || []);
      count += problems.length;
      fill(list, problems, index === "generelt");
    });
    said.textContent = count ? "Kontroll: " + count + " funn (ikke lagret ennå)."
                             : "Kontroll: ingen funn (ikke lagret ennå).";
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 600);
  });
})();
