// After an action the page is loaded again: focus moves to what the action said — a refusal or
// error first, else the confirmation ("Lagret.", "Bygging av referatet: ferdig.") — so that a
// screen reader reads the outcome and a keyboard user starts from it, not from the page's top.
(function () {
  const said = document.querySelector("main [role=alert], main .saved, main .error");
  if (!said || !said.textContent.trim()) return;
  said.setAttribute("tabindex", "-1");
  said.focus();
})();
