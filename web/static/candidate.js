/* The candidate's chat: start, answer, see each grade with your own words highlighted, resume after a reload. */
"use strict";

(() => {
  const { el, api } = Viva;
  const $ = (id) => document.getElementById(id);
  const WORDS_PER_30_SECONDS = 75;
  const NEAR_LIMIT = 0.8;   /* show the character count from 80% of the limit */
  const MOVED_ON = new Set(["turn_mismatch", "interview_finished"]);
  const GONE = new Set([401, 403, 404]);  /* the interview or its token is no more: nothing to resume */
  const DRAFT = "viva.draft";  /* sessionStorage: {id, turn, text}, the answer being written in this tab */
  let interview = null;     /* {id, token} */
  let pending = null;       /* {text, key}: an answer being sent; a retry reuses its Idempotency-Key */
  let sending = false;      /* true while an answer is on its way: a second Ctrl+Enter or click waits for it */
  let openTurn = null;      /* the turn on screen: an answer names it, so it can never land on another one */

  function show(section) {
    $("loading").hidden = section !== "loading";
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
    const label = question.kind === "follow_up" ? "Follow-up" : `Q${question.number}`;
    return el("li", { class: "message interviewer", "data-turn": question.turn },
      el("p", { class: "who" }, `Interviewer · ${label} · ${question.category}`),
      el("p", { class: "question-text" }, question.text));
  }

  /* An answer goes the way its own script does (dir=auto): in the page's left-to-right, a Hebrew or Arabic
     answer's full stops and brackets stood at the wrong ends of its lines. */
  function answerMessage(text) {
    return el("li", { class: "message candidate" }, el("p", { class: "who" }, "You"),
      el("p", { class: "answer", dir: "auto" }, text));
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
    /* The offsets count characters (code points); a JavaScript string counts an emoji twice. */
    const chars = Array.from(text);
    const part = (from, to) => chars.slice(from, to).join("");
    const paragraph = el("p", { class: "answer", dir: "auto" });
    let position = 0;
    for (const [start, end] of merged) {
      if (start > position) paragraph.append(part(position, start));
      paragraph.append(el("mark", {}, part(start, end)));
      position = end;
    }
    if (position < chars.length) paragraph.append(part(position));
    return paragraph;
  }

  /* A message about a turn that has no grade to show (yet): its grading failed, or is still running. */
  function gradingNote(status, turn) {
    const text = status === "failed"
      ? "Your answer is saved, but grading failed; it will be graded later."
      : "Your answer is saved and is still being graded; the grade will show here when it is ready.";
    return el("li", { class: "message interviewer grading-note", "data-turn": turn }, el("p", {}, text));
  }

  /* A point the critique set, and why: the candidate saw a point marked missed against the words that made it. */
  function decidedBy(point) {
    if (point.decided_by !== "llm") return null;
    return el("span", { class: "decided-by" }, ` (set by the interviewer's critique${point.llm_reason ? `: ${point.llm_reason}` : ""})`);
  }

  function gradeMessage(grade, answerText, turn, critiqueStatus) {
    const covered = grade.key_points.filter((p) => p.status !== "missed");
    const missed = grade.key_points.filter((p) => p.status === "missed");
    const body = el("div", { class: "grade" },
      el("p", { class: "score-line" }, el("strong", {}, "Score "), el("strong", { class: "score" }, `${grade.score}/100`),
        ` (${grade.band}). ${grade.summary}`));
    const marked = grade.key_points.some((p) => p.evidence && p.status !== "missed");
    if (answerText && marked) {
      body.append(el("p", { class: "hint" }, "Your answer, with the words that made a point marked:"), highlighted(answerText, grade.key_points));
    }
    /* The candidate's words are quoted in <bdi>: a quote in a right-to-left script keeps its own direction
       and does not pull the English around it into it. */
    if (covered.length) {
      body.append(el("h3", {}, "Points you made"), el("ul", { class: "key-points" }, covered.map((p) =>
        el("li", { class: `kp-${p.status}` }, el("span", { class: "status-label" }, p.status === "covered" ? "Covered" : "Partly"), " ",
          p.text, p.evidence ? el("span", { class: "evidence" }, " — you said “", el("bdi", {}, p.evidence.text), "”") : null,
          decidedBy(p)))));
    }
    if (missed.length) {
      body.append(el("h3", {}, "Points you missed"), el("ul", { class: "key-points" }, missed.map((p) =>
        el("li", { class: "kp-missed" }, el("span", { class: "status-label" }, "Missed"), " ", p.text, decidedBy(p)))));
    }
    for (const wrong of grade.misconceptions) {
      body.append(el("div", { class: "misconception" }, el("h3", {}, "A misconception"),
        el("p", {}, "You said “", el("bdi", {}, wrong.evidence.text), "”."), el("p", {}, `Why it is wrong: ${wrong.explanation}`)));
    }
    /* A non-answer's summary is its flag's message: say it once. */
    for (const flag of grade.flags.filter((f) => f.code !== "misconception" && f.message !== grade.summary)) {
      body.append(el("p", { class: "flag" }, flag.message));
    }
    const delivery = grade.delivery;
    /* One quote per sentence heard: "Your example and trade-off" when one sentence gave both. */
    const heard = [];
    for (const [name, quote] of [["example", delivery.example_evidence], ["trade-off", delivery.trade_off_evidence]]) {
      const same = quote && heard.find((h) => h[1] === quote.text);
      if (same) same[0] += ` and ${name}`;
      else if (quote) heard.push([`Your ${name}`, quote.text]);
    }
    if (delivery.tips.length || heard.length) {
      body.append(el("h3", {}, "Delivery"), el("p", { class: "hint" },
        `${delivery.words} word${delivery.words === 1 ? "" : "s"}, about ${delivery.speaking_seconds} ` +
        `second${delivery.speaking_seconds === 1 ? "" : "s"} spoken.`),
        ...heard.map(([label, text]) => el("p", { class: "delivery-quote" }, `${label}: “`, el("bdi", {}, text), "”")));
      if (delivery.tips.length) body.append(el("ul", {}, delivery.tips.map((tip) => el("li", {}, tip))));
    }
    body.append(el("details", { class: "model-answer" }, el("summary", {}, "Model answer"), el("p", {}, grade.model_answer)));
    if (grade.critique) {
      body.append(el("div", { class: "critique" }, el("h3", {}, "Interviewer's critique"), el("p", {}, grade.critique),
        grade.suggestion ? el("p", {}, `Try this: ${grade.suggestion}`) : null,
        grade.grader.embedding_score !== null
          ? el("p", { class: "hint" }, `The critique ${grade.grader.score_source.includes("raised") ? "raised" : "lowered"} ` +
            `the score from the grader's ${grade.grader.embedding_score}.`) : null));
    } else if (critiqueStatus === "pending") {
      body.append(el("p", { class: "hint critique-pending" }, "The interviewer's critique is on its way…"));
    } else if (critiqueStatus === "failed") {
      /* The "on its way" note vanished without a word when the model failed. */
      body.append(el("p", { class: "hint" }, "The interviewer's critique could not be written this time; the grade above stands."));
    }
    /* A heading, so that the feedback's own (h3) sit under one, not straight under the page's h1. */
    return el("li", { class: "message interviewer grade-message", "data-turn": turn }, el("h2", { class: "who" }, "Interviewer · feedback"), body);
  }

  /* A grade still being computed, or a critique written in the background: look again until it is
     there, then show it in place of what was shown; for as long as the server gives a critique. */
  async function awaitTurn(turn, answerText) {
    const mine = interview;
    const until = Date.now() + 1000 * (Number($("chat").dataset.critiqueWait) || 60);
    const shownNow = () => document.querySelector(`.grade-message[data-turn="${turn}"], .grading-note[data-turn="${turn}"]`);
    while (Date.now() < until && interview === mine) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      let transcript;
      try { transcript = await api(`/api/v1/interviews/${mine.id}`, { token: mine.token }); } catch { continue; }
      if (interview !== mine) return;  /* the candidate started over while this look was on its way */
      const current = transcript.turns.find((t) => t.number === turn);
      if (!current || current.status === "pending") continue;
      const critiqueDue = current.critique_status === "pending";
      const shown = shownNow();
      /* The grade takes the note's place as soon as it is in; a critique still being written, when it is. */
      if (shown && (!critiqueDue || shown.classList.contains("grading-note"))) {
        replaceKeepingPlace(shown, turnOutcome(current.status, current.grade, answerText, turn, current.critique_status));
      }
      askWhatIsOpen(transcript);
      if (!critiqueDue) return;
    }
    if (interview !== mine) return;
    const waiting = shownNow()?.querySelector(".critique-pending");
    if (waiting) waiting.textContent = "The critique is taking longer than expected: reload the page later to see it.";
    const note = shownNow();
    if (note?.classList.contains("grading-note") && openTurn === null && $("finished").hidden) {
      note.firstChild.textContent = "Grading is taking longer than expected: reload the page in a moment to see " +
        "your grade and the next question.";
    }
  }

  /* Feedback shown again, now with its critique: a model answer the candidate opened stays open, and the
     focus on it stays there (it closed as they read it, and the keyboard's place fell to the top of the page). */
  function replaceKeepingPlace(shown, replacement) {
    const opened = shown.querySelector("details.model-answer")?.open;
    const focused = shown.contains(document.activeElement);
    shown.replaceWith(replacement);
    const details = replacement.querySelector("details.model-answer");
    if (details && opened) details.open = true;
    if (details && focused) details.querySelector("summary").focus();
  }

  /* Nothing is asked while the last answer is still being graded (a reload came mid-grading): once its
     grade is in, ask the question that follows, or show that the interview is over. */
  function askWhatIsOpen(transcript) {
    if (openTurn !== null || !$("finished").hidden) return;
    const open = transcript.turns[transcript.turns.length - 1];
    if (transcript.progress.finished) ask(null, transcript.progress);
    else if (open.answer === null) ask(open.question, transcript.progress);
  }

  /* What the interviewer says about an answered turn: its grade, or why there is none. */
  function turnOutcome(status, grade, answerText, turn, critiqueStatus) {
    return grade ? gradeMessage(grade, answerText, turn, critiqueStatus) : gradingNote(status, turn);
  }

  function showOutcome(status, grade, answerText, turn, critiqueStatus) {
    addMessage(turnOutcome(status, grade, answerText, turn, critiqueStatus));
    if (status === "pending" || critiqueStatus === "pending") awaitTurn(turn, answerText);
  }

  function ask(question, progress) {
    setProgress(progress);
    openTurn = question ? question.turn : null;
    if (question) {
      addMessage(askedMessage(question));
      $("answer-form").hidden = false;
      $("start-over").hidden = false;
      $("finished").hidden = true;
      $("answer").value = "";
      updateCount();
      $("answer").focus();
    } else if (progress.finished) {
      finish();
    } else {
      $("answer-form").hidden = true;  /* the last answer is still being graded: awaitTurn asks what follows */
    }
  }

  function finish() {
    $("answer-form").hidden = true;
    $("start-over").hidden = true;
    $("start-over-confirm").hidden = true;
    $("finished").hidden = false;
    $("report-link").href = `/report/${interview.id}`;
    $("report-link").focus();
  }

  /* What is typed is kept for this tab until it is sent: a reload (which this page itself suggests when a grade
     or a critique is slow, while the next answer is being written) emptied the box. */
  function keepDraft() {
    if (interview && openTurn !== null) {
      sessionStorage.setItem(DRAFT, JSON.stringify({ id: interview.id, turn: openTurn, text: $("answer").value }));
    }
  }

  /* The answer this tab was writing to that turn, if any. */
  function draftFor(id, turn) {
    try {
      const draft = JSON.parse(sessionStorage.getItem(DRAFT) || "null");
      return draft && draft.id === id && draft.turn === turn ? draft.text : "";
    } catch { return ""; }
  }

  /* Characters as the server counts them (code points): JavaScript's length counts an emoji as two. */
  function characters(text) { return Array.from(text); }

  const EMPTY = "Write an answer first (or say you don't know).";
  const NOT_SENT = "Not sent:";

  /* A status said again is read again: a live region announces a change, and the same text is none. */
  function say(message) {
    $("status").textContent = "";
    setTimeout(() => { if (!$("status").textContent) $("status").textContent = message; }, 50);
  }

  /* What was wrong with the last send no longer holds once the answer is edited. */
  function forgetProblem() {
    const status = $("status").textContent;
    if (status === EMPTY || status.startsWith(NOT_SENT)) $("status").textContent = "";
  }

  function updateCount() {
    const answer = $("answer");
    const count = Viva.words(answer.value);
    const seconds = Math.round(count * 30 / WORDS_PER_30_SECONDS);
    $("word-count").textContent = `${count} word${count === 1 ? "" : "s"} · about ${seconds} s spoken (aim for about 30 s)`;
    /* The character count appears once the answer nears the server's limit. */
    const limit = Number(answer.dataset.limit);
    const length = characters(answer.value).length;
    const near = length >= limit * NEAR_LIMIT;
    $("char-count").hidden = !near;
    if (near) $("char-count").textContent = `${length} of ${limit} characters`;
    if (length < limit) $("cut-notice").hidden = true;
  }

  /* Keep the answer within the server's limit, cutting what was just typed or pasted, as maxlength would:
     maxlength counts UTF-16 units, and cut an answer of emoji at half the limit. Say what a paste lost. */
  function keepWithinLimit(event) {
    if (event.isComposing) return;  /* an input method's word in progress: checked when it is done */
    const answer = $("answer");
    const limit = Number(answer.dataset.limit);
    const chars = characters(answer.value);
    const lost = chars.length - limit;
    if (lost <= 0) return;
    const caret = characters(answer.value.slice(0, answer.selectionEnd)).length;
    const before = chars.slice(0, Math.max(0, caret - lost)).join("");
    answer.value = before + chars.slice(caret).join("");
    answer.setSelectionRange(before.length, before.length);
    if (event.inputType !== "insertFromPaste") return;
    const notice = $("cut-notice");
    notice.textContent = `Your paste was cut: an answer can be at most ${limit} characters, ` +
      `so the last ${lost} character${lost === 1 ? "" : "s"} of it ${lost === 1 ? "was" : "were"} left out. ` +
      "Check how your answer ends now, or shorten the text and paste it again.";
    notice.hidden = false;
  }

  /* The start form's checks, in words a candidate understands (the API's own messages name fields). */
  function startProblem(name, count, total) {
    if (!name) return ["candidate", "Please enter your name."];
    if (!Number.isInteger(count) || count < 1 || count > total) {
      return ["count", `Choose a number of questions from 1 to ${total}.`];
    }
    return null;
  }

  /* A button disabled while its request was on its way lost the focus to the page: after a failure the
     keyboard had to start again from the top. Give it back, unless something else took it meanwhile. */
  function regainFocus(element) {
    const active = document.activeElement;
    if ((!active || active === document.body) && element && element.isConnected) element.focus();
  }

  async function start(event) {
    event.preventDefault();
    const name = $("candidate").value.trim();
    const count = Number($("count").value);
    const error = $("start-error");
    error.hidden = true;
    const problem = startProblem(name, count, Number($("count").max));
    if (problem) { error.textContent = problem[1]; error.hidden = false; $(problem[0]).focus(); return; }
    const body = { candidate: name, count, candidate_key: Viva.candidateKey() };
    if ($("category").value) body.categories = [$("category").value];
    if ($("difficulty").value) body.difficulty = $("difficulty").value;
    /* A second click or Enter while the first is on its way would start a second interview. */
    const focused = document.activeElement;
    $("start-button").disabled = true;
    $("start-status").textContent = "Starting your interview…";
    try {
      const started = await api("/api/v1/interviews", { method: "POST", body });
      interview = { id: started.id, token: started.token };
      Viva.remember(started.id, started.token);
      $("last-report").hidden = true;
      $("messages").replaceChildren();
      $("status").textContent = "";
      show("chat");
      ask(started.question, started.progress);
      /* Asked for more than the chosen category or level holds, the interview was shorter without a word. */
      const total = started.progress.total;
      if (total < count) {
        $("status").textContent = `Only ${total} question${total === 1 ? "" : "s"} match your choice, so this interview has ${total}.`;
      }
    } catch (problem) {
      error.textContent = problem.code === "invalid_request"
        ? "The interview could not start: please check the form and try again."
        : `The interview could not start: ${problem.message}`;
      error.hidden = false;
    } finally {
      $("start-button").disabled = false;
      $("start-status").textContent = "";
      regainFocus(focused);
    }
  }

  async function send(event) {
    if (event) event.preventDefault();
    /* No interview: one is being loaded again. No open turn: nothing is asked until the last answer's grade is in. */
    if (sending || !interview || openTurn === null) return;
    const text = $("answer").value;
    if (!text.trim()) { say(EMPTY); $("answer").focus(); return; }
    if (!pending || pending.text !== text) pending = { text, key: Viva.randomKey() };
    const mine = interview;
    const focused = document.activeElement;
    sending = true;
    $("send").disabled = true;
    $("answer").readOnly = true;
    $("status").textContent = "Grading your answer…";
    try {
      const result = await api(`/api/v1/interviews/${interview.id}/answers`, {
        method: "POST", token: interview.token, body: { answer: text, turn: openTurn },
        headers: { "Idempotency-Key": pending.key },
      });
      pending = null;
      if (interview !== mine) return;  /* the candidate started over while it was on its way */
      sessionStorage.removeItem(DRAFT);
      addMessage(answerMessage(text));
      showOutcome(result.status, result.grade, text, result.turn, result.critique_status);
      $("status").textContent = "";
      ask(result.next, result.progress);
    } catch (problem) {
      if (interview === mine && MOVED_ON.has(problem.code)) {
        /* Another tab or window answered first, or this page came back from the browser's history:
           show where the interview stands now, keeping the answer in the box. */
        pending = null;
        if (await resume()) {
          $("status").textContent = "This interview has moved on (another tab, or an earlier send, got there " +
            "first): here is where it stands now. Your answer was not sent; it is still in the box.";
        }
      } else {
        say(`${NOT_SENT} ${problem.message} Your answer is still here; try again.`);
      }
    } finally {
      sending = false;
      $("send").disabled = false;
      $("answer").readOnly = false;
      regainFocus(focused);
    }
  }

  /* Leave this interview (finished, or abandoned after the confirmation) for the start form. Its answers
     stay stored and its report stays reachable from this browser. */
  function startAgain() {
    Viva.forgetCurrent();
    interview = null;
    openTurn = null;
    pending = null;
    sessionStorage.removeItem(DRAFT);
    $("messages").replaceChildren();
    $("start-over-confirm").hidden = true;
    $("status").textContent = "";
    show("start");
    $("candidate").focus();
  }

  /* A reload or a reopened tab: replay the transcript, then ask the open question. Whether it shows the chat
     (not the start form: no interview, a finished one, or one that could not be loaded). */
  async function resume() {
    const saved = Viva.current();
    interview = null;
    if (!saved) { show("start"); return false; }
    /* Not the start form while it loads: on a slow network it was there to be used, and a new interview
       started from it was then replaced on screen by the one that finished loading. Not the chat either:
       the transcript is replayed into it out of sight (see below). */
    show("loading");
    try {
      const transcript = await api(`/api/v1/interviews/${saved.id}`, { token: saved.token });
      if (transcript.progress.finished) {
        /* A finished interview is over: coming back to the page starts a new one. */
        Viva.forgetCurrent();
        $("last-report-link").href = `/report/${saved.id}`;
        $("last-report").hidden = false;
        show("start");
        return false;
      }
      interview = saved;
      /* Replayed while the chat is hidden, then shown: added message by message to the live region on
         screen, the transcript was read out again, all of it, on every reload. The region itself stays
         the page's own (one put in by script is not heard by every screen reader). */
      $("messages").replaceChildren();
      for (const turn of transcript.turns) {
        addMessage(askedMessage(turn.question));
        if (turn.answer !== null) {
          addMessage(answerMessage(turn.answer));
          showOutcome(turn.status, turn.grade, turn.answer, turn.number, turn.critique_status);
        }
      }
      show("chat");
      $("messages").lastElementChild?.scrollIntoView({ block: "nearest" });
      const open = transcript.turns[transcript.turns.length - 1];
      openTurn = open && open.answer === null ? open.number : null;
      setProgress(transcript.progress);
      $("answer-form").hidden = openTurn === null;  /* reloaded mid-grading: awaitTurn asks what follows */
      if (openTurn !== null) {
        /* Not over what the box holds: an answer another tab got ahead of, or what Back brought back. */
        if (!$("answer").value) $("answer").value = draftFor(saved.id, openTurn);
        $("answer").focus();
        updateCount();
      }
      return true;
    } catch (problem) {
      /* Forget the interview only when the server says it is gone; a server that is down for a moment
         (a 503, no network) must not cost the candidate their place. */
      if (GONE.has(problem.status)) Viva.forgetCurrent();
      else {
        $("start-error").textContent = `Your interview could not be loaded: ${problem.message} ` +
          "Reload the page to try again.";
        $("start-error").hidden = false;
      }
      show("start");
      return false;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("start-form").addEventListener("submit", start);
    $("answer-form").addEventListener("submit", send);
    $("answer").addEventListener("input", (event) => {
      keepWithinLimit(event); updateCount(); forgetProblem(); keepDraft();
    });
    $("answer").addEventListener("compositionend", (event) => { keepWithinLimit(event); updateCount(); keepDraft(); });
    $("answer").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) send(event);
    });
    $("new-interview").addEventListener("click", startAgain);
    $("start-over").addEventListener("click", () => {
      $("start-over-confirm").hidden = false; $("start-over-yes").focus();
    });
    $("start-over-no").addEventListener("click", () => {
      $("start-over-confirm").hidden = true; $("start-over").focus();
    });
    $("start-over-yes").addEventListener("click", startAgain);
    resume();
  });
})();
