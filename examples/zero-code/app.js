'use strict';
// node --require @poolaudit/register examples/zero-code/app.js
const mysql = require('mysql2');
const axios = require('axios');
const { runService } = require('./service.js');

runService({ mysql, axios }).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
