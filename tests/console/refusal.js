'use strict';
// What the console's refusals are compared with: the API's own answer to the same request.

/** The API's refusal (code and message) for a call that must fail. */
async function apiRefusal(promise) {
  try {
    await promise;
  } catch (e) {
    return { code: e.data?.Code ?? e.code, message: e.data?.Message };
  }
  throw new Error('the API call was expected to be refused');
}

module.exports = { apiRefusal };
