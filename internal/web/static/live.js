// truce: live notices. The page's status line (#live) tells the reader
// when something new that they may see has happened since the page was
// drawn: new incidents, or incidents newly released. It listens to /live,
// the API's event stream as the viewer may read it; the events carry no
// content, so the notice only offers to reload. Without scripts the page
// is the same, without the notice.
(function () {
  "use strict";
  var box = document.getElementById("live");
  if (!box || !window.EventSource) {
    return;
  }
  var kinds = {
    "incident.created": "data-new",
    "incidents.created": "data-new",
    "finding.released_public": "data-released",
    "finding.released_observers": "data-released"
  };
  var counts = { "data-new": 0, "data-released": 0 };
  var stream = new EventSource("/live");
  function show() {
    var parts = [];
    Object.keys(counts).forEach(function (k) {
      if (counts[k] > 0) {
        parts.push(box.getAttribute(k).replace("%s", String(counts[k])));
      }
    });
    box.textContent = parts.join(" ") + " ";
    var a = document.createElement("a");
    a.href = window.location.href;
    a.textContent = box.getAttribute("data-reload");
    box.appendChild(a);
  }
  Object.keys(kinds).forEach(function (type) {
    stream.addEventListener(type, function (e) {
      var n = 1;
      try {
        n = JSON.parse(e.data).count || 1;
      } catch (err) {
        return;
      }
      counts[kinds[type]] += n;
      show();
    });
  });
  window.addEventListener("pagehide", function () {
    stream.close();
  });
})();
