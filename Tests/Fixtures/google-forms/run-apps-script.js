// Runs channels/google-forms.gs outside Google: Apps Script's UrlFetchApp, Utilities,
// PropertiesService and ScriptApp are stood in for (the POST goes through curl, which fails as
// UrlFetchApp throws when nothing answers), and a form submission event like Google's is passed
// to onFormSubmit. Usage: node run-apps-script.js SCRIPT URL [DEAD-URL]: with DEAD-URL the
// response is first submitted while inlet cannot be reached (it is kept and a trigger made),
// then the trigger's retryPending runs against URL. Prints the kept responses, the triggers
// and the locks still held.
'use strict';
const fs = require('fs');
const vm = require('vm');
const { execFileSync } = require('child_process');

const [script, url, deadURL] = process.argv.slice(2);
const item = (title, answer) => ({
  getItem: () => ({ getTitle: () => title }),
  getResponse: () => answer,
});
const event = {
  source: { getTitle: () => 'Заявка с сайта', getId: () => '1FAIpQLSe-form' },
  response: {
    getId: () => '2_ABaOnudTest',
    getTimestamp: () => new Date('2026-11-29T10:00:00Z'),
    getRespondentEmail: () => '',
    getItemResponses: () => [
      item('Имя', 'Вера Козлова'),
      item('Номер телефона', '8 916 444-55-66'),
      item('Ваш вопрос', 'Есть ли доставка в Тверь?'),
      item('Удобное время', ['утро', 'вечер']),
    ],
  },
};
const properties = new Map();
const triggers = [];
const locks = { held: 0 };
const context = vm.createContext({
  UrlFetchApp: {
    fetch: (target, options) => {
      // curl exits non-zero when nothing answers: execFileSync throws, as UrlFetchApp does.
      const code = execFileSync('curl', [
        '-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', options.method.toUpperCase(),
        '-H', 'Content-Type: ' + options.contentType, '--data-binary', options.payload, target,
      ], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      return { getResponseCode: () => Number(code) };
    },
  },
  Utilities: { sleep: () => {} },
  PropertiesService: {
    getScriptProperties: () => ({
      getProperty: (key) => (properties.has(key) ? properties.get(key) : null),
      setProperty: (key, value) => properties.set(key, value),
      deleteProperty: (key) => properties.delete(key),
      getKeys: () => [...properties.keys()],
    }),
  },
  LockService: {
    getScriptLock: () => ({ waitLock: () => { locks.held += 1; }, releaseLock: () => { locks.held -= 1; } }),
  },
  ScriptApp: {
    getProjectTriggers: () => [...triggers],
    newTrigger: (handler) => ({
      timeBased: () => ({
        everyMinutes: (minutes) => ({
          create: () => triggers.push({ getHandlerFunction: () => handler, minutes }),
        }),
      }),
    }),
    deleteTrigger: (trigger) => triggers.splice(triggers.indexOf(trigger), 1),
  },
  console,
});
vm.runInContext(fs.readFileSync(script, 'utf8'), context);
const state = () => ({
  kept: [...properties.keys()],
  triggers: triggers.map((t) => t.getHandlerFunction() + '/' + t.minutes),
  locks: locks.held,
});
if (deadURL) {
  context.INLET_URL = deadURL;
  context.onFormSubmit(event);
  console.log('offline ' + JSON.stringify(state()));
  context.INLET_URL = url;
  context.retryPending();
} else {
  context.INLET_URL = url;
  context.onFormSubmit(event);
}
console.log('sent ' + JSON.stringify(state()));
