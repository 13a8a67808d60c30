// node --import @poolaudit/register examples/zero-code/app.mjs
import mysql from 'mysql2';
import axios from 'axios';
import service from './service.js';

await service.runService({ mysql, axios });
