// Runs before the page renders: GOV.UK Frontend styles its components only when this is set.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
