// inlet: send each Google Forms response to the lead queue.
// 1. In the form: ⋮ → Script editor; paste this file; set INLET_URL below.
// 2. Triggers (clock icon) → Add trigger → onFormSubmit, event source "From form",
//    event type "On form submit"; allow the permissions it asks for.
var INLET_URL = 'https://leads.example.ru/hooks/google?token=PASTE-THE-CHANNEL-TOKEN';

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
  var options = {
    method: 'post',
    contentType: 'application/json',
    payload: JSON.stringify(payload),
    muteHttpExceptions: true
  };
  // Retried by inlet's idempotency (response_id): a second send is a duplicate, not a lead.
  for (var attempt = 0; attempt < 3; attempt++) {
    var code = UrlFetchApp.fetch(INLET_URL, options).getResponseCode();
    if (code >= 200 && code < 300) return;
    Utilities.sleep(2000 * (attempt + 1));
  }
  throw new Error('inlet did not accept the response ' + response.getId());
}
