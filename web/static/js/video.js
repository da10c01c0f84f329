// Onramp's video tracker. The page works without it (the video plays, with
// captions and a transcript); with it, the server learns which seconds were
// watched, playback resumes where the learner left off, and on the first
// viewing the learner cannot skip ahead. The server decides what to credit:
// this script only reports.
//
// Each load of the page is one viewing: the server gives it an ID
// (data-viewing) and credits it no more than real time allows since the
// page was rendered. Every beacon names the viewing. Opening the video again
// (a reload, another tab or device) starts a new viewing and ends this one:
// its beacons are then refused (409), and this page stops reporting and says
// to reload. A reload resumes at the last position the server credited, so a
// stretch whose beacon was lost on the way out is simply watched again.
(function () {
  "use strict";
  var video = document.getElementById("step-video");
  if (!video || !window.fetch || !video.dataset.beaconUrl || !video.dataset.viewing) { return; }

  var url = video.dataset.beaconUrl;
  var viewing = video.dataset.viewing;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : "";
  var status = document.getElementById("video-status");
  var done = video.dataset.done === "true";
  var furthest = parseFloat(video.dataset.furthest) || 0;
  var resumeAt = parseFloat(video.dataset.position) || 0;
  var INTERVAL_MS = 5000;
  var SKIP_TOLERANCE = 1;
  var MAX_RATE = 2;

  var segStart = null;  // where the stretch not yet reported began
  var lastTime = 0;     // the last time reached by normal playback
  var maxPlayed = furthest;
  var sending = false;
  var timer = null;
  var announcedQuarter = -1;
  var ended = false;    // the server ended this viewing: report no more

  function say(text) { if (status) { status.textContent = text; } }

  function report(force) {
    if (ended || segStart === null || (sending && !force)) { return; }
    var from = segStart;
    var to = Math.max(from, lastTime);
    if (to - from < 0.25 && !force) { return; }
    sending = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify({ viewing: viewing, from: from, to: to, position: video.currentTime || to })
    }).then(function (res) {
      return res.json().then(function (data) { return { status: res.status, ok: res.ok, data: data }; });
    }).then(function (r) {
      sending = false;
      var d = r.data || {};
      if (r.status === 409) {
        // This viewing is over (the video was opened again elsewhere) or
        // nothing more can be recorded: stop, and say what to do.
        ended = true;
        segStart = null;
        if (timer) { window.clearInterval(timer); timer = null; }
        say(d.message || "This page no longer records what you watch. Reload the page to carry on.");
        return;
      }
      if (r.status === 422) {
        // Refused: go back to what the server knows was watched.
        furthest = d.furthest_seconds || furthest;
        maxPlayed = furthest;
        segStart = null;
        if (!video.paused) { video.currentTime = furthest; }
        say(d.message || "That part wasn't counted. Carry on from where you got to.");
        return;
      }
      if (!r.ok) { return; } // keep segStart: the next report covers this stretch
      if (segStart === from) {
        // Real time did not yet allow all of the claim: report the rest
        // again with the next beacon.
        var upTo = typeof d.credited_to === "number" ? d.credited_to : to;
        segStart = (upTo >= from && upTo < to) ? upTo : to;
      }
      furthest = Math.max(furthest, d.furthest_seconds || 0);
      maxPlayed = Math.max(maxPlayed, furthest);
      if (d.done && !done) {
        done = true;
        say("Done: you have watched this video. You can watch it again and skip to any part.");
        return;
      }
      var quarter = Math.floor((d.watched_percent || 0) / 25);
      if (!done && quarter !== announcedQuarter) {
        announcedQuarter = quarter;
        say("You have watched " + (d.watched_percent || 0) + "% of this video. It counts as done once you have watched 90%.");
      }
    }).catch(function () { sending = false; });
  }

  video.addEventListener("loadedmetadata", function () {
    if (resumeAt > 0 && video.duration && resumeAt < video.duration - 2) {
      video.currentTime = resumeAt;
      lastTime = resumeAt;
    }
  });

  video.addEventListener("play", function () {
    if (ended) { return; }
    if (segStart === null) { segStart = video.currentTime; lastTime = video.currentTime; }
    if (!timer) { timer = window.setInterval(function () { report(false); }, INTERVAL_MS); }
  });

  video.addEventListener("timeupdate", function () {
    if (video.seeking) { return; }
    var t = video.currentTime;
    // A jump of more than a few seconds is a seek, not playback.
    if (t >= lastTime && t - lastTime < 3) { maxPlayed = Math.max(maxPlayed, t); }
    lastTime = t;
  });

  video.addEventListener("seeking", function () {
    if (!done && video.currentTime > Math.max(furthest, maxPlayed) + SKIP_TOLERANCE) {
      video.currentTime = Math.max(furthest, maxPlayed);
      say("On the first viewing you can't skip ahead. You can go back and watch any part again.");
      return;
    }
    report(true);
    segStart = null;
  });

  video.addEventListener("seeked", function () {
    lastTime = video.currentTime;
    if (!video.paused) { segStart = video.currentTime; }
  });

  video.addEventListener("playing", function () {
    if (segStart === null) { segStart = video.currentTime; lastTime = video.currentTime; }
  });

  video.addEventListener("pause", function () {
    if (timer) { window.clearInterval(timer); timer = null; }
    report(true);
  });

  video.addEventListener("ended", function () {
    lastTime = video.duration || lastTime;
    report(true);
  });

  video.addEventListener("ratechange", function () {
    if (video.playbackRate > MAX_RATE) { video.playbackRate = MAX_RATE; }
  });

  window.addEventListener("pagehide", function () { report(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { report(true); }
  });
})();
