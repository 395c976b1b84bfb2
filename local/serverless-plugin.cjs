'use strict';
// Placeholder replaced below by the local trigger plugin.
class EddyLocalStreams {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {};
  }
}
module.exports = EddyLocalStreams;
