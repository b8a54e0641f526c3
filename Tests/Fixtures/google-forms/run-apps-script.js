// Runs channels/google-forms.gs outside Google: Apps Script's UrlFetchApp and Utilities are
// stood in for (the POST goes through curl), and a form submission event like Google's is
// passed to onFormSubmit. Usage: node run-apps-script.js SCRIPT URL
'use strict';
const fs = require('fs');
const vm = require('vm');
const { execFileSync } = require('child_process');

const [script, url] = process.argv.slice(2);
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
const context = vm.createContext({
  UrlFetchApp: {
    fetch: (target, options) => {
      const code = execFileSync('curl', [
        '-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', options.method.toUpperCase(),
        '-H', 'Content-Type: ' + options.contentType, '--data-binary', options.payload, target,
      ]).toString();
      return { getResponseCode: () => Number(code) };
    },
  },
  Utilities: { sleep: () => {} },
});
vm.runInContext(fs.readFileSync(script, 'utf8'), context);
context.INLET_URL = url;
context.onFormSubmit(event);
console.log('sent');
