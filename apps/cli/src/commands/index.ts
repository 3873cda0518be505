import type { CommandSpec } from '../cli.context';
import { loginCommand, logoutCommand } from './auth.commands';
import {
  conferencesCreateCommand,
  conferencesEndCommand,
  conferencesGroup,
  conferencesListCommand,
  conferencesShowCommand,
  joinUrlCommand,
} from './conferences.commands';
import { eventsCommand } from './events.command';
import {
  recordingGroup,
  recordingStartCommand,
  recordingStopCommand,
  recordingsCommand,
} from './recording.commands';
import {
  coremxDrainCommand,
  coremxGroup,
  coremxListCommand,
  coremxStatusCommand,
  coremxUndrainCommand,
  gcasCommand,
  registriesCommand,
} from './platform.commands';

/** Every command, in the order help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  loginCommand,
  logoutCommand,
  conferencesGroup,
  conferencesCreateCommand,
  conferencesListCommand,
  conferencesShowCommand,
  conferencesEndCommand,
  joinUrlCommand,
  recordingGroup,
  recordingStartCommand,
  recordingStopCommand,
  recordingsCommand,
  gcasCommand,
  registriesCommand,
  coremxGroup,
  coremxListCommand,
  coremxStatusCommand,
  coremxDrainCommand,
  coremxUndrainCommand,
  eventsCommand,
];
