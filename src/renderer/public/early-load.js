// Web mode, cold window: the account list (what the first page paints) is requested while the
// app's bundle is still downloading (a classic script in <head> runs at once; the module bundle
// runs only after it), and read as JSON here, on an otherwise idle main thread. Only the small
// answers: quota:list (~5 MB at 1,000 x 10) would compete with the bundle's own download and
// parse, and the rows paint without it (their quotas fill in when it lands).
// The app's HTTP transport (api/http-transport.ts, `early`) takes each answer once, for the
// same token, instead of asking again. Inside Electron (the preload bridge), or without a
// stored control token, it does nothing. Plain ES2017, no imports: it is not bundled.
(function () {
  'use strict';
  try {
    if (window.quotadeck) return;
    var token = window.sessionStorage.getItem('quotadeck.controlToken');
    if (!token || /(^|[#&])token=/.test(window.location.hash)) return;
    var methods = ['accounts:list', 'monitor:getStats'];
    var answers = {};
    methods.forEach(function (m) {
      answers[m] = fetch('/api/' + m, { method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, cache: 'no-store' }).then(function (res) {
        return res.json().then(
          function (body) { return { status: res.status, body: body }; },
          function () { return { status: res.status, body: undefined }; },
        );
      });
      answers[m].catch(function () {});
    });
    window.__quotadeckEarly = { token: token, answers: answers };
  } catch (e) {
    /* the app loads its data itself */
  }
})();
