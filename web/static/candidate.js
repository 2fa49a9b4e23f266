/* The candidate's chat: start, answer, see each grade with your own words highlighted, resume after a reload. */
"use strict";

(() => {
  const { el, api } = Viva;
  const $ = (id) => document.getElementById(id);
  const WORDS_PER_30_SECONDS = 75;
  let interview = null;     /* {id, token} */
  let pending = null;       /* {text, key}: an answer being sent; a retry reuses its Idempotency-Key */

  function show(section) {
    $("start").hidden = section !== "start";
    $("chat").hidden = section !== "chat";
  }

  function setProgress(progress) {
    $("progress").textContent = progress.finished
      ? `Finished: ${progress.total} of ${progress.total} questions`
      : `Question ${progress.position} of ${progress.total}`;
  }

  function addMessage(node) {
    $("messages").append(node);
    node.scrollIntoView({ block: "nearest" });
  }

  function askedMessage(question) {
    const label = question.kind === "follow_up" ? "Follow-up" : `Question ${question.number}`;
    return el("li", { class: "message interviewer", "data-turn": question.turn },
      el("p", { class: "who" }, `Interviewer · ${label} · ${question.category}`),
      el("p", { class: "question-text" }, question.text));
  }

  function answerMessage(text) {
    return el("li", { class: "message candidate" }, el("p", { class: "who" }, "You"), el("p", { class: "answer" }, text));
  }

  /* The answer with the words that made a key point marked. */
  function highlighted(text, points) {
    const spans = points.filter((p) => p.evidence && p.status !== "missed")
      .map((p) => [p.evidence.start, p.evidence.end]).sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const [start, end] of spans) {
      const last = merged[merged.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end); else merged.push([start, end]);
    }
    const paragraph = el("p", { class: "answer" });
    let position = 0;
    for (const [start, end] of merged) {
      if (start > position) paragraph.append(text.slice(position, start));
      paragraph.append(el("mark", {}, text.slice(start, end)));
      position = end;
    }
    if (position < text.length) paragraph.append(text.slice(position));
    return paragraph;
  }

  function gradeMessage(grade, answerText, turn, critiqueStatus) {
    const covered = grade.key_points.filter((p) => p.status !== "missed");
    const missed = grade.key_points.filter((p) => p.status === "missed");
    const body = el("div", { class: "grade" },
      el("p", { class: "score-line" }, el("strong", {}, "Score "), el("strong", { class: "score" }, `${grade.score}/100`),
        ` (${grade.band}). ${grade.summary}`));
    if (answerText) body.append(el("p", { class: "hint" }, "Your answer, with the words that made a point marked:"), highlighted(answerText, grade.key_points));
    if (covered.length) {
      body.append(el("h3", {}, "Points you made"), el("ul", { class: "key-points" }, covered.map((p) =>
        el("li", { class: `kp-${p.status}` }, el("span", { class: "status-label" }, p.status === "covered" ? "Covered" : "Partly"),
          p.text, p.evidence ? el("span", { class: "evidence" }, ` — you said “${p.evidence.text}”`) : null))));
    }
    if (missed.length) {
      body.append(el("h3", {}, "Points you missed"), el("ul", { class: "key-points" }, missed.map((p) =>
        el("li", { class: "kp-missed" }, el("span", { class: "status-label" }, "Missed"), p.text))));
    }
    for (const wrong of grade.misconceptions) {
      body.append(el("div", { class: "misconception" }, el("h3", {}, "A misconception"),
        el("p", {}, `You said “${wrong.evidence.text}”.`), el("p", {}, `Why it is wrong: ${wrong.explanation}`)));
    }
    for (const flag of grade.flags.filter((f) => f.code !== "misconception")) {
      body.append(el("p", { class: "flag" }, flag.message));
    }
    if (grade.delivery.tips.length) {
      body.append(el("h3", {}, "Delivery"), el("p", { class: "hint" },
        `${grade.delivery.words} words, about ${grade.delivery.speaking_seconds} seconds spoken.`),
        el("ul", {}, grade.delivery.tips.map((tip) => el("li", {}, tip))));
    }
    body.append(el("details", { class: "model-answer" }, el("summary", {}, "Model answer"), el("p", {}, grade.model_answer)));
    if (grade.critique) {
      body.append(el("div", { class: "critique" }, el("h3", {}, "Interviewer's critique"), el("p", {}, grade.critique),
        grade.suggestion ? el("p", {}, `Try this: ${grade.suggestion}`) : null,
        grade.grader.score_source !== "embedding"
          ? el("p", { class: "hint" }, `The critique adjusted the score (${grade.grader.score_source}).`) : null));
    } else if (critiqueStatus === "pending") {
      body.append(el("p", { class: "hint critique-pending" }, "The interviewer's critique is on its way…"));
    }
    return el("li", { class: "message interviewer grade-message", "data-turn": turn }, el("p", { class: "who" }, "Interviewer · feedback"), body);
  }

  /* The critique is written in the background: look again until it is there, then show the reviewed grade. */
  async function awaitCritique(turn, answerText, tries = 40) {
    const mine = interview;
    for (let i = 0; i < tries && interview === mine; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      let transcript;
      try { transcript = await api(`/api/v1/interviews/${mine.id}`, { token: mine.token }); } catch { continue; }
      const current = transcript.turns.find((t) => t.number === turn);
      if (!current || current.critique_status === "pending") continue;
      const shown = document.querySelector(`.grade-message[data-turn="${turn}"]`);
      if (shown && current.grade) shown.replaceWith(gradeMessage(current.grade, answerText, turn, current.critique_status));
      return;
    }
  }

  function ask(question, progress) {
    setProgress(progress);
    if (question) {
      addMessage(askedMessage(question));
      $("answer-form").hidden = false;
      $("finished").hidden = true;
      $("answer").value = "";
      updateCount();
      $("answer").focus();
    } else {
      finish();
    }
  }

  function finish() {
    $("answer-form").hidden = true;
    $("finished").hidden = false;
    $("report-link").href = `/report/${interview.id}`;
    $("report-link").focus();
  }

  function updateCount() {
    const count = Viva.words($("answer").value);
    const seconds = Math.round(count * 30 / WORDS_PER_30_SECONDS);
    $("word-count").textContent = `${count} word${count === 1 ? "" : "s"} · about ${seconds} s spoken (aim for about 30 s)`;
  }

  async function start(event) {
    event.preventDefault();
    const name = $("candidate").value.trim();
    const error = $("start-error");
    error.hidden = true;
    if (!name) { error.textContent = "Please enter your name."; error.hidden = false; $("candidate").focus(); return; }
    const body = { candidate: name, count: Number($("count").value) || 5 };
    if ($("category").value) body.categories = [$("category").value];
    if ($("difficulty").value) body.difficulty = $("difficulty").value;
    try {
      const started = await api("/api/v1/interviews", { method: "POST", body });
      interview = { id: started.id, token: started.token };
      Viva.remember(started.id, started.token);
      $("messages").replaceChildren();
      show("chat");
      ask(started.question, started.progress);
    } catch (problem) {
      error.textContent = problem.message; error.hidden = false;
    }
  }

  async function send(event) {
    if (event) event.preventDefault();
    const text = $("answer").value;
    if (!text.trim()) { $("status").textContent = "Write an answer first (or say you don't know)."; $("answer").focus(); return; }
    if (!pending || pending.text !== text) pending = { text, key: crypto.randomUUID() };
    $("send").disabled = true;
    $("answer").readOnly = true;
    $("status").textContent = "Grading your answer…";
    try {
      const result = await api(`/api/v1/interviews/${interview.id}/answers`, {
        method: "POST", token: interview.token, body: { answer: text }, headers: { "Idempotency-Key": pending.key },
      });
      pending = null;
      addMessage(answerMessage(text));
      if (result.grade) addMessage(gradeMessage(result.grade, text, result.turn, result.critique_status));
      if (result.critique_status === "pending") awaitCritique(result.turn, text);
      else addMessage(el("li", { class: "message interviewer" }, el("p", {}, "Your answer is saved, but grading failed; it will be graded later.")));
      $("status").textContent = "";
      ask(result.next, result.progress);
    } catch (problem) {
      $("status").textContent = `Not sent: ${problem.message} Your answer is still here; try again.`;
    } finally {
      $("send").disabled = false;
      $("answer").readOnly = false;
    }
  }

  /* A reload or a reopened tab: replay the transcript, then ask the open question. */
  async function resume() {
    const saved = Viva.current();
    if (!saved) { show("start"); return; }
    try {
      const transcript = await api(`/api/v1/interviews/${saved.id}`, { token: saved.token });
      interview = saved;
      show("chat");
      $("messages").replaceChildren();
      for (const turn of transcript.turns) {
        addMessage(askedMessage(turn.question));
        if (turn.answer !== null) {
          addMessage(answerMessage(turn.answer));
          if (turn.grade) addMessage(gradeMessage(turn.grade, turn.answer, turn.number, turn.critique_status));
          if (turn.critique_status === "pending") awaitCritique(turn.number, turn.answer);
        }
      }
      const open = transcript.turns[transcript.turns.length - 1];
      setProgress(transcript.progress);
      if (transcript.progress.finished) finish();
      else if (open && open.answer === null) { $("answer").focus(); updateCount(); }
    } catch {
      Viva.forgetCurrent();
      show("start");
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("start-form").addEventListener("submit", start);
    $("answer-form").addEventListener("submit", send);
    $("answer").addEventListener("input", updateCount);
    $("answer").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) send(event);
    });
    $("new-interview").addEventListener("click", () => {
      Viva.forgetCurrent(); interview = null; $("messages").replaceChildren(); show("start"); $("candidate").focus();
    });
    resume();
  });
})();
