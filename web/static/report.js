/* The report page: scores, charts (SVG drawn by the server), what to study, downloads. */
"use strict";

(() => {
  const { el, api } = Viva;
  const $ = (id) => document.getElementById(id);
  const id = $("report").dataset.interview;
  const token = Viva.tokenFor(id);

  /* The chart's title says its figures in words (the server counts them): a screen reader reads
     an image's alt text, not the picture. */
  async function image(target, path) {
    /* Drawn at the width it is shown at, its text stays the page's size (shrunk from 640 pixels onto a
       phone it was unreadable). The body is hidden while it loads; the section around it is not. */
    const width = Math.round(Math.min(640, Math.max(320, $("report").clientWidth)));
    const blob = await api(`${path}?width=${width}`, { token, blob: true });
    $(target).width = width;  /* never stretched past it either, when the window widens */
    const title = new DOMParser().parseFromString(await blob.text(), "image/svg+xml").querySelector("title");
    if (title) $(target).alt = title.textContent;
    $(target).src = URL.createObjectURL(blob);
  }

  /* A chart that cannot be drawn is said in its place: the report's own figures came, and "the report could
     not be loaded" hid them all. */
  async function chart(target, path) {
    try {
      await image(target, path);
    } catch (problem) {
      $(target).replaceWith(el("p", { id: target, class: "error" }, `This chart could not be drawn: ${problem.message}`));
    }
  }

  /* A download that failed said nothing: the button seemed to do nothing, and the error went to the console. */
  async function download(format) {
    const error = $("download-error");
    error.hidden = true;
    try {
      const blob = await api(`/api/v1/interviews/${id}/export?format=${format}`, { token, blob: true });
      const link = el("a", { href: URL.createObjectURL(blob), download: `viva-interview-${id}.${format}` });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (problem) {
      error.textContent = `The download failed: ${problem.message}`;
      error.hidden = false;
    }
  }

  async function load() {
    if (!token) {
      $("report-status").textContent = "This report belongs to an interview started in another browser.";
      return;
    }
    try {
      const report = await api(`/api/v1/interviews/${id}/report`, { token });
      /* Whole points, like every other score on the page (the API keeps the decimals). */
      $("overall").textContent = report.score === null ? "not graded yet" : `${Math.round(report.score)}/100` +
        (report.corrected ? ` (a coach corrected ${report.corrected} grade${report.corrected === 1 ? "" : "s"}; ` +
          `the grader's own: ${Math.round(report.grader_score)}/100)` : "");
      $("report-summary").textContent =
        `${report.answered} of ${report.total} questions answered · ${report.covered} key points covered, ` +
        `${report.partial} partly, ${report.missed} missed` +
        (report.follow_up_score === null ? "." : ` · follow-ups ${Math.round(report.follow_up_score)}/100.`);
      $("weakest").replaceChildren(...report.weakest.map((area) => el("li", {},
        el("strong", {}, `Q${area.number} ${area.question} (${area.score}/100` +
          (area.corrected_by ? `, corrected by ${area.corrected_by}; the grader gave ${area.grader_score}` : "") + ")"),
        area.study.length || area.partly.length ? el("ul", { class: "key-points" },
          area.study.map((point) => el("li", { class: "kp-missed" }, el("span", { class: "status-label" }, "Missed"), " ",
            area.recovered.includes(point) ? `${point} (you gave it when asked again)` : point)),
          /* Labelled: a question can score 100/100 with a point made only in part. */
          area.partly.map((point) => el("li", { class: "kp-partial" }, el("span", { class: "status-label" }, "Partly made"), " ", point)))
          : el("p", {}, "Nothing missed."))));
      /* Only the interview this browser is on can be carried on: "/" resumes it. One left for another
         (Start over) stays as it was left. */
      const current = Viva.current();
      const resumable = !report.finished && current !== null && current.id === id;
      $("unfinished").hidden = report.finished;
      $("unfinished-text").textContent = resumable
        ? `This interview is not finished: ${report.answered} of ${report.total} questions answered.`
        : `This interview was left unfinished: ${report.answered} of ${report.total} questions answered.`;
      $("continue-link").hidden = !resumable;
      /* Otherwise "/" would resume this interview, not start a new one. */
      if (resumable) $("new-interview").addEventListener("click", Viva.forgetCurrent);
      /* "/" shows the interview this browser is on: from an older report, a link promising a new one
         led back to it (its own page offers Start over, and a new one once it is finished). */
      if (current !== null && current.id !== id) $("new-interview").textContent = "Back to your latest interview";
      const d = report.delivery;
      $("delivery").textContent = d === null ? "No answers yet." :
        `On average ${Math.round(d.mean_words)} words (about ${Math.round(d.mean_seconds)} seconds). Opened with a definition in ` +
        `${Math.round(d.opens_with_definition * 100)}% of answers, gave an example in ${Math.round(d.gives_example * 100)}%, ` +
        `named a trade-off in ${Math.round(d.names_trade_off * 100)}%.`;
      $("comparison").textContent = report.earlier.length === 0
        ? "No earlier interview under your name in this browser."
        : `${report.earlier.length} earlier interview${report.earlier.length === 1 ? "" : "s"}; ` +
          `change since the last: ${report.change === null ? "n/a" : (report.change >= 0 ? "+" : "") + Math.round(report.change)} points.`;
      await Promise.all([
        chart("chart-categories", `/api/v1/interviews/${id}/report/charts/categories.svg`),
        chart("chart-key-points", `/api/v1/interviews/${id}/report/charts/key-points.svg`),
      ]);
      $("report-status").textContent = "";
      $("report-body").hidden = false;
      $("report-title").focus();
    } catch (problem) {
      $("report-status").textContent = `The report could not be loaded: ${problem.message}`;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("report-title").setAttribute("tabindex", "-1");
    $("download-json").addEventListener("click", () => download("json"));
    $("download-md").addEventListener("click", () => download("md"));
    load();
  });
})();
