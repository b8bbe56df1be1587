#!/usr/bin/env node
// The medrl CLI. reflect-metadata must load before any decorated class (tsyringe).
import 'reflect-metadata';
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
