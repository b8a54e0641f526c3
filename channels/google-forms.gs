// inlet: send each Google Forms response to the lead queue.
// 1. In the form: ⋮ → Script editor; paste this file; set INLET_URL below.
// 2. Triggers (clock icon) → Add trigger → onFormSubmit, event source "From form",
//    event type "On form submit"; allow the permissions it asks for. (Replacing an older copy
//    of this script: run retryPending once from the editor, so that Google asks for the
//    permission to manage triggers it now needs.)
// A response inlet could not take (the server restarting, the network down) is kept in the
// script's properties and sent again every 10 minutes by a trigger this script adds itself
// (retryPending), for up to 7 days; inlet's idempotency (response_id) makes a second send a
// duplicate, not a second lead.
var INLET_URL = 'https://leads.example.ru/hooks/google?token=PASTE-THE-CHANNEL-TOKEN';
var PENDING_PREFIX = 'inlet-pending:';
var PENDING_DAYS = 7;

function onFormSubmit(e) {
  var response = e.response;
  var payload = {
    response_id: response.getId(),
    timestamp: response.getTimestamp().toISOString(),
    form_title: e.source.getTitle(),
    form_id: e.source.getId()
  };
  var email = response.getRespondentEmail();
  if (email) payload.respondent_email = email;
  response.getItemResponses().forEach(function (item) {
    var answer = item.getResponse();
    payload[item.getItem().getTitle()] = Array.isArray(answer) ? answer.join(', ') : String(answer);
  });
  for (var attempt = 0; attempt < 3; attempt++) {
    var outcome = send(payload);
    if (outcome === 'sent') return;
    if (outcome === 'refused') {
      throw new Error('inlet refused the response ' + payload.response_id + ' (check INLET_URL and its token)');
    }
    Utilities.sleep(2000 * (attempt + 1));
  }
  keep(payload);
}

// 'sent' (2xx), 'refused' (inlet answered no: a wrong token or address, sending again will not
// help) or 'failed' (no answer, or one worth waiting out: 408, 429, 5xx).
function send(payload) {
  var code;
  try {
    code = UrlFetchApp.fetch(INLET_URL, {
      method: 'post',
      contentType: 'application/json',
      payload: JSON.stringify(payload),
      muteHttpExceptions: true
    }).getResponseCode();
  } catch (error) {
    return 'failed';
  }
  if (code >= 200 && code < 300) return 'sent';
  if (code === 408 || code === 429 || code >= 500) return 'failed';
  return 'refused';
}

// Keeps a response to send again, and makes sure the retrying trigger exists. Under the
// script's lock: retryPending must not remove the trigger between the two.
function keep(payload) {
  var lock = LockService.getScriptLock();
  lock.waitLock(30000);
  try {
    var properties = PropertiesService.getScriptProperties();
    properties.setProperty(PENDING_PREFIX + payload.response_id,
      JSON.stringify({ kept_at: new Date().toISOString(), payload: payload }));
    var exists = ScriptApp.getProjectTriggers().some(function (trigger) {
      return trigger.getHandlerFunction() === 'retryPending';
    });
    if (!exists) ScriptApp.newTrigger('retryPending').timeBased().everyMinutes(10).create();
  } finally {
    lock.releaseLock();
  }
}

// Run by the trigger: sends the kept responses; removes itself once none is left.
function retryPending() {
  var lock = LockService.getScriptLock();
  lock.waitLock(30000);
  try {
    sendPending();
  } finally {
    lock.releaseLock();
  }
}

function sendPending() {
  var properties = PropertiesService.getScriptProperties();
  var keys = properties.getKeys().filter(function (key) { return key.indexOf(PENDING_PREFIX) === 0; });
  var limit = Date.now() - PENDING_DAYS * 24 * 3600 * 1000;
  keys.forEach(function (key) {
    var kept = JSON.parse(properties.getProperty(key));
    var outcome = send(kept.payload);
    if (outcome === 'sent' || outcome === 'refused' || Date.parse(kept.kept_at) < limit) {
      if (outcome !== 'sent') console.error('inlet: gave up on the response ' + kept.payload.response_id);
      properties.deleteProperty(key);
    }
  });
  var left = properties.getKeys().some(function (key) { return key.indexOf(PENDING_PREFIX) === 0; });
  if (!left) {
    ScriptApp.getProjectTriggers().forEach(function (trigger) {
      if (trigger.getHandlerFunction() === 'retryPending') ScriptApp.deleteTrigger(trigger);
    });
  }
}
