'use strict';
/** One unary method, `/bench.Echo/Echo`, carrying raw bytes: no .proto needed on either side. */
const identity = (value) => value;
const ECHO_SERVICE = {
  echo: {
    path: '/bench.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};
module.exports = { ECHO_SERVICE };
