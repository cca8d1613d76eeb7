# MediaRecorder's English strings: the window and the command line.
# Every message here must also be in every other catalogue, with the same arguments
# (src/i18n.rs tests that, and that every t!("…") in the code is here).

## The window: header and status line

state-recording = REC
state-paused = PAUSED
state-ready = Ready
live-devices = Live: { $devices }
live-devices-tip = These devices are open for the preview and the recording
shortcuts-hint = Space: record / stop    P: pause / resume    Ctrl+S: save

## Sources and the level meter

microphone = Microphone
microphone-tip = The source to record; the list follows devices as they come and go
no-microphone = No microphone found: recording the built-in test tone.
video = Video
video-tip = A camera, a screen or a test video to record with the sound
sound-only = None (sound only)
no-camera = No camera found
preview-starting = Starting…
preview-tip = Live preview ({ $width }×{ $height })
meter-levels = peak { $peak } dBFS  rms { $rms } dBFS
clip = CLIP
clip-tip = Lights when the level reaches full scale (0 dBFS)

## Names of the built-in sources (a device's own name is kept as it is)

device-default = Default – { $name }
device-test-tone = Test tone
device-test-pattern = Test pattern
device-test-canvas = Test canvas
device-screen = Screen
device-window = Window
device-display = Screen or window (ask)
device-system-sound = System sound – { $output }

## Controls, format and quality

record = Record
record-tip = Start recording (Space)
starting-in = Starting in { $seconds }…
starting-in-tip = Click, or press Escape or Space, to cancel: nothing is recorded
start-after = Start after
start-after-tip = A countdown between pressing Record and the recording starting
start-after-off = At once
pause = Pause
pause-tip = Pause; the timer stops too (P)
resume = Resume
resume-tip = Go on recording (P)
stop = Stop
stop-tip = Stop and keep the recording (Space)
timer-tip = Time recorded (pauses excluded)
format = Format
video-bitrate = Video
video-bitrate-tip = Video bitrate
sound-bitrate = Sound
quality = Quality
saved-every = Saved every
saved-every-tip = How often the recording is written safely to disk (the timeslice)

## The recordings

recordings = Recordings
nothing-recorded = Nothing recorded yet. Press Record (or Space).
recording-name = Recording { $when }
recording-fallback-name = Recording
status-recording = recording…
status-recovered = recovered: the app closed before it finished
status-saved = saved to { $path }
ended-early = Ended early: { $reason }
name = Name
name-tip = Click to select (Ctrl+S saves it), double-click to rename
rename = Rename
play = Play
play-tip = Listen to it
stop-playing = Stop playing
save-as = Save…
save-as-tip = Save as a file (Ctrl+S saves the selected recording)
delete = Delete
delete-tip = Delete this recording

## Dialogs and the error banner

problem = Problem:
dismiss = Dismiss
delete-question = Delete this recording?
delete-warning = “{ $name }” will be gone for good.
keep-it = Keep it
save-recording = Save recording
no-save-dialog = No save dialog: { $reason }.
save-to = Save to:
save = Save
cancel = Cancel

## What the window is told

recorder-stopped = the recorder has stopped
recorder-busy = the recorder is busy: try again in a moment
busy-microphone = the microphone cannot change while recording
busy-video = the video source cannot change while recording
busy-format = the format cannot change while recording
format-unsupported = { $mime } is not supported
no-microphone-open = no microphone is open: pick one first
cannot-start-recording = cannot start recording: { $reason }
name-needed = a recording needs a name
cannot-delete-busy = a recording cannot be deleted while it is being recorded or saved
cannot-delete = cannot delete “{ $name }”: { $reason }
deleted = Deleted “{ $name }”
save-dialog-cannot-start = the save dialog could not start ({ $reason })
save-dialog-failed = the save dialog failed to open
dialogs-off = native dialogs are turned off
no-display-for-dialog = there is no display to show a save dialog on
display-not-running = the display { $display } is not running
cannot-start-saving = cannot start saving: { $reason }
save-thread-failed = the save thread panicked
saved = Saved “{ $name }” to { $path }
saved-chunks-kept = saved, but its chunks could not be removed: { $reason }
saved-with-gaps = Saved “{ $name }” to { $path } without what could not be used ({ $skipped }); its chunks are kept in { $session }
cannot-save = cannot save “{ $name }”: { $reason }
cannot-play-now = this recording cannot be played now
cannot-play = cannot play “{ $name }”: { $reason }
playback-stopped = playback stopped: { $reason }
output-no-answer = the audio output did not answer
no-output-device = no audio output device
cannot-open-output = cannot open the audio output: { $reason }
cannot-start-output = cannot start the audio output: { $reason }
output-stopped = the audio output stopped
cannot-read = cannot read { $path }: { $reason }
cannot-decode = cannot decode: { $reason }
it-ended = it ended
device-not-connected = { $device } is not connected
device-cannot-open = { $device } cannot be opened ({ $reason })
device-disconnected = { $device } was disconnected
device-stopped = { $device } stopped ({ $reason })
using-instead = { $problems }: using { $device } instead
no-audio-source = no audio source could be opened: { $problems }
video-cannot-open = { $source } cannot be opened ({ $reason }): recording sound only
video-stopped-sound-only = { $source } stopped ({ $reason }): recording sound only
video-stopped-recording-goes-on = { $source } stopped ({ $reason }); the recording goes on with the sound
microphone-stopped-recording-goes-on = { $device } stopped ({ $reason }); the recording goes on with the picture
device-lost-recording-stopped = { $device }: { $reason }. The recording stopped; its first { $seconds } s are kept.
settings-damaged = The settings file is damaged ({ $detail })
settings-future = The settings file is from a newer version of MediaRecorder (format { $version }; this version reads up to { $supported })
settings-unreadable = The settings file cannot be read ({ $detail })
settings-set-aside = { $problem }. It was kept as { $path }; the default settings are in use.
settings-left-alone = { $problem }. The default settings are in use (the file was left as it is).

## The command line: help

cli-about = Record microphones, cameras and screens to Ogg Opus or WebM, the way the browser's MediaRecorder does
cli-long-about =
    Record microphones, cameras and screens to Ogg Opus or WebM, the way the browser's MediaRecorder does.

    Without a command, opens the recorder's window. Recordings are written in chunks as they go, so a crash loses at most the last second: `mediarecorder recover` turns what was kept into a file that plays.
cli-examples =
    Examples:
      mediarecorder                                     Open the window
      mediarecorder devices                             List microphones, cameras and screens
      mediarecorder record --duration 10 -o memo.ogg    Ten seconds from the default microphone
      mediarecorder record --video screen:0 -o screen.webm
      mediarecorder recover --list                      Recordings that never finished
cli-usage = Usage:
cli-commands = Commands
cli-options = Options
cli-arguments = Arguments
cli-help = Print help
cli-version = Print version
cli-devices = List capture devices (ids to pass to `record --audio` and `--video`)
cli-devices-json = Print JSON in the browser's MediaDeviceInfo shape
cli-record = Record until the duration passes or Ctrl+C, then write the file
cli-record-examples =
    Examples:
      mediarecorder record --audio test:tone --duration 3 -o tone.ogg
      mediarecorder record --mime 'audio/webm;codecs=opus' --timeslice 1000 -o memo.webm
      mediarecorder record --video 'test:pattern?w=1280&h=720&fps=30' --mime 'video/webm;codecs=av1,opus' -o clip.webm
cli-record-audio = Audio device id: `default`, an id from `devices`, `system` (what the speakers play), or `test:tone[?hz=F]`; given more than once, the sources are mixed into one track. Without it: the default microphone, or the test tone when there is none
cli-record-no-audio = Record no audio (a video-only file; needs --video)
cli-record-echo-cancellation = Echo cancellation: what the speakers play (the system's sound) taken out of each microphone, as the browser's echoCancellation; on by default for microphones, off for the system's sound and the test sources
cli-record-noise-suppression = Noise suppression (RNNoise, with the pauses quieted further), as the browser's noiseSuppression; on by default for microphones, off for the system's sound and the test sources
cli-record-auto-gain = Automatic gain: speech brought toward -20 dBFS, never clipping, as the browser's autoGainControl; on by default for microphones, off for the system's sound and the test sources
cli-record-pause-on-silence = Pause while the sound stays under DBFS (default -45) for half a second; resume when it returns, keeping the quarter second before it
cli-paused-on-silence = Paused: silence
cli-resumed-on-sound = Resumed: sound
cli-record-video = Video device id from `devices`: `camera:0[?w=1280&h=720&fps=30]`, `screen:0[?fps=15]`, an area `screen:0?x=0&y=0&w=1280&h=720`, a window `window:0x1e00007`, `test:pattern[?w=640&h=480&fps=30]`, `test:canvas`
cli-record-cursor = The pointer in a screen or window recording: `embedded` (drawn in, the default) or `hidden`
cli-record-video-bitrate = Video bitrate in bit/s (default 2500000)
cli-record-key-frame-interval = A key frame at least every MS milliseconds (`500`) or every N frames (`15f`), as the web's videoKeyFrameIntervalDuration / Count; each chunk starts with one too
cli-key-frame-interval-invalid = "{ $value }" is not an interval: milliseconds (500) or frames (15f)
cli-record-mime = Container and codecs, e.g. `audio/ogg;codecs=opus`, `audio/webm;codecs=opus`, `video/webm;codecs=vp9,opus`, `video/webm;codecs=av1,opus` (default: from the output file's extension and the tracks)
cli-record-timeslice = Deliver data every this many milliseconds of media
cli-record-duration = Stop after this many seconds (default: until Ctrl+C)
cli-record-audio-bitrate = Audio bitrate in bit/s (default 128000)
cli-record-cbr = Constant bitrate instead of variable
cli-recover = Write a recording not saved yet (one that never finished, or whose file could not be written) to a file that plays
cli-recover-list = List the recordings not saved anywhere yet
cli-recover-session = Session id or directory (default: the most recent recording not saved yet)
cli-output = Output file
cli-force = Replace the output file if it exists
cli-completions = Print a shell completion script (bash, zsh, fish, elvish, powershell)
cli-completions-shell = The shell
cli-man = Print the manual page (roff), as installed in man1
cli-man-command = The command whose page to print instead (devices, record, recover, completions, man)
cli-no-such-command = there is no command "{ $name }"

## The command line: what it says

cli-no-unfinished = No recordings waiting to be saved.
cli-nothing-to-recover = no recording waiting to be saved
cli-cannot-recover = cannot recover { $path }
cli-recovered = Recovered { $path } ({ $seconds } s, { $bytes } bytes, { $chunks } chunks)
cli-session-not-removed = could not remove the session directory: { $reason }
cli-no-microphone = No microphone found; the test tone is available.
cli-no-camera = No camera found; the screen (with a display) and the test videos are available.
cli-mime-unsupported = the MIME type "{ $mime }" is not supported (try audio/ogg;codecs=opus, audio/webm;codecs=opus or video/webm;codecs=vp8,opus)
cli-video-needs-webm = video is recorded to WebM or MP4: give the output a .webm or .mp4 name
cli-output-required = --output is required
cli-output-exists = { $path } already exists (use --force to replace it)
cli-output-dir-missing = the output directory does not exist: { $path }
cli-output-dir-unwritable = cannot write to the output directory { $path }
cli-cannot-clean-up = cannot clean up { $path }
cli-low-space = Warning: only { $megabytes } MB free for { $path } (about { $minutes } minutes at this bitrate).
unfinished-recordings =
    { $count ->
        [one] 1 earlier recording never finished: see `mediarecorder recover --list`.
       *[other] { $count } earlier recordings never finished: see `mediarecorder recover --list`.
    }
cli-recording-test-tone = No microphone found: recording the test tone.
cli-cannot-open = cannot open { $ids }
cli-cannot-keep-token = cannot keep the screen sharing permission for next time: { $reason }
cli-ctrlc = cannot install the Ctrl+C handler
cli-recording = Recording { $label } as { $mime } … (Ctrl+C to stop)
cli-chunk = chunk { $n }: { $bytes } bytes at { $seconds } s
cli-error-while-recording = error while recording: { $reason }
cli-recorder-gone = the recorder went away
cli-track-stopped = { $track } stopped: { $reason }
cli-track-stopped-going-on = { $track } stopped: { $reason }; recording goes on with the other tracks
cli-no-session = the recorder wrote no session
cli-cannot-write = cannot write { $path }; the recording is kept in { $session }, and `mediarecorder recover { $id } -o FILE` writes it
disk-full = the disk is full
cli-wrote = Wrote { $path } ({ $seconds } s, { $bytes } bytes, { $chunks } chunks; dropped { $buffers } buffers, { $overrun } overrun frames)
cli-video-summary = Video: { $encoder }; { $encoded } frames encoded, { $dropped } dropped ({ $percent } % delivered)
cli-ended-early = recording ended early; what was recorded is in { $path }
cli-cannot-open-window = cannot open the window (is there a display? `mediarecorder record` works without one)
cli-no-window-feature = built without the window (feature `app`): use `mediarecorder record`, or --help
cli-cannot-print-manual = cannot print the manual

# "Area…": part of a screen.
area-button = Area…
area-tip = Record only part of the screen: drag over a still of it
area-title = Choose an area
area-hint = Drag over the picture to choose what to record.
area-still = Still of the screen
area-chosen = { $w }×{ $h } at ({ $x }, { $y })
area-none = Nothing chosen yet.
area-use = Record this area
area-whole = Whole screen
area-label = { $source }, area { $w }×{ $h } at ({ $x }, { $y })

# The microphone's dropdown: the system's sound mixed in.
also-system-sound = Also record the system's sound
also-system-sound-tip = What the speakers play, mixed with the microphone into one track
cancel-echo = Cancel echo
cancel-echo-tip = Echo cancellation: what the speakers play is taken out of the microphone, as the browser's echoCancellation
reduce-noise = Reduce noise
reduce-noise-tip = Noise suppression (RNNoise) on the microphone, as the browser's noiseSuppression
even-out-volume = Even out volume
even-out-volume-tip = Automatic gain: the voice brought to a steady level, never clipping
pause-on-silence = Pause on silence
pause-on-silence-tip = The recording pauses while the sound stays under -45 dBFS for half a second and resumes when it returns, keeping the quarter second before it
silent = SILENT
silent-tip = The input has been under -45 dBFS for half a second: a recording pausing on silence pauses now
