// check as you type: a moment after the last keystroke, the form as it stands (unsaved) goes
// to the server, which runs the library's check on it; each item's findings replace the list
// under its fields (the fields' aria-describedby already points there), and a polite live
// region says how many there are. Nothing is saved until Lagre.
(function () {
  const form = document.getElementById("meeting-form");
  if (!form) return;
  const said = document.getElementById("live-check");
  const nn = document.documentElement.lang === "nn";
  const words = nn
    ? { error: "Feil: ", warning: "Åtvaring: ", none: "ingen", found: " funn (ikkje lagra enno).",
        nothing: "Kontroll: ingen funn (ikkje lagra enno)." }
    : { error: "Feil: ", warning: "Advarsel: ", none: "ingen", found: " funn (ikke lagret ennå).",
        nothing: "Kontroll: ingen funn (ikke lagret ennå)." };
  let timer = null;
  let asked = 0;
  function fill(list, problems, general) {
    const items = problems.map(function (p) {
      const li = document.createElement("li");
      li.className = p.severity;
      li.textContent = (p.severity === "error" ? words.error : words.warning) +
        (p.where ? p.where + ": " : "");
      const text = document.createElement("span");
      text.textContent = p.text;
      if (p.english) text.lang = "en";  // no translation: read as English, not as Norwegian
      li.append(text);
      return li;
    });
    if (general && !items.length) {
      const none = document.createElement("li");
      none.textContent = words.none;
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
    said.textContent = count ? "Kontroll: " + count + words.found : words.nothing;
  }
  // Unsaved changes (or, after a conflict, changes kept but not yet saved) are not left
  // behind without the browser asking first.
  let dirty = form.dataset.dirty === "1";
  form.addEventListener("input", function () {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(check, 600);
  });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = form.dataset.unsaved || "";
  });
})();
