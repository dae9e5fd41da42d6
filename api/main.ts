import { runRole } from '../platform/run-role';

void runRole('api');
