// The focus timer's page counts down every second between the server's answers (the server keeps
// the time; this only moves the seconds on). Loaded from the plugin: the CSP allows nothing inline.
(function () {
  "use strict";
  function tick() {
    document.querySelectorAll("[data-remaining][data-running]").forEach(function (clock) {
      var left = Math.max(0, parseInt(clock.getAttribute("data-remaining"), 10) - 1);
      clock.setAttribute("data-remaining", left);
      var minutes = Math.floor(left / 60), seconds = left % 60;
      clock.textContent = (minutes < 10 ? "0" : "") + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    });
  }
  setInterval(tick, 1000);
})();
