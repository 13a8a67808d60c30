// @poolaudit/http: the adapter's public surface is re-exported here, by name.
export {};
