// The library's schema, as numbered migrations: PRAGMA user_version says how many have run.
// Append only: a released migration is never edited (darktable's habit).

export const MIGRATIONS: readonly string[] = [
  // 1: photos and their restoration state; settings of the library (output folder...).
  `CREATE TABLE photos (
     id INTEGER PRIMARY KEY,
     -- which library: 'app', or a CLI batch's output root ('cli:' + folder, 'cli:beside')
     scope TEXT NOT NULL,
     input TEXT NOT NULL,            -- absolute path of the original
     source_root TEXT NOT NULL,      -- the folder (or file's folder) it was found from
     rel TEXT NOT NULL,              -- its path relative to source_root: the mirrored layout
     state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','running','done','failed','skipped')),
     output TEXT,                    -- planned, then written: absolute path of the restored file
     settings_hash TEXT,             -- of the settings the output was made with
     in_size INTEGER, in_mtime_ms REAL, in_sha256 TEXT,   -- the input as restored
     error_code TEXT, error_message TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     overrides TEXT,                 -- JSON: per-photo settings (engine, scale, caption, seed...)
     result TEXT,                    -- JSON: what the restoration reported (sizes, caption...)
     triage TEXT,                    -- JSON: fast noise/blur estimate
     queue_pos REAL,                 -- order in the queue (lower first); NULL: not queued
     saved_at REAL,                  -- app: when the result was copied to the output folder
     added_at REAL NOT NULL,
     updated_at REAL NOT NULL,
     UNIQUE (scope, input)
   );
   CREATE INDEX photos_scope_state ON photos (scope, state);
   CREATE INDEX photos_output ON photos (output);
   CREATE TABLE sources (
     scope TEXT NOT NULL,
     path TEXT NOT NULL,
     recursive INTEGER NOT NULL DEFAULT 1,
     added_at REAL NOT NULL,
     PRIMARY KEY (scope, path)
   );
   CREATE TABLE meta (scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (scope, key));`,
  // 2: a failed or skipped photo's error keeps its hint and its wording for the app's window
  // (GuiWording, JSON), so after a restart the window says what it said before, not the terminal's words.
  `ALTER TABLE photos ADD COLUMN error_hint TEXT;
   ALTER TABLE photos ADD COLUMN error_gui TEXT;`,
];
