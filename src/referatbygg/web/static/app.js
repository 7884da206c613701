// Progress of the work started from the page (build, intake, signing, packaging): asks the
// server once a second and says what it hears in a live region; when the work is done, the
// page is loaded again to show the result.
(function () {
  const box = document.getElementById("job");
  if (!box || box.dataset.running !== "true") return;
  const text = document.getElementById("job-text");
  const nn = document.documentElement.lang === "nn";
  async function poll() {
    const res = await fetch(box.dataset.url, { credentials: "same-origin" });
    const job = await res.json();
    const starting = nn ? "startar …" : "starter …";
    // An error is said by the page that loads next, in its words; here only that it stopped.
    text.textContent = job.error ? (box.dataset.stopped || "") : (job.messages.slice(-1)[0] || starting);
    if (job.running) { setTimeout(poll, 1000); } else { window.location.reload(); }
  }
  setTimeout(poll, 500);
})();
