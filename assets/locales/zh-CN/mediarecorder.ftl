# MediaRecorder 的简体中文字符串：窗口与命令行。
# 每条消息都须与英文目录（en/mediarecorder.ftl）一一对应，参数相同（src/i18n.rs 中有测试）。

## 窗口：标题栏与状态栏

state-recording = 录制中
state-paused = 已暂停
state-ready = 就绪
live-devices = 使用中：{ $devices }
live-devices-tip = 这些设备正为预览和录制而打开
shortcuts-hint = 空格：录制 / 停止    P：暂停 / 继续    Ctrl+S：保存

## 音源与电平表

microphone = 麦克风
microphone-tip = 要录制的音源；设备接入或移除时列表随之更新
no-microphone = 未找到麦克风：正在录制内置测试音。
video = 视频
video-tip = 与声音一起录制的摄像头、屏幕或测试视频
sound-only = 无（仅声音）
no-camera = 未找到摄像头
preview-starting = 正在启动…
preview-tip = 实时预览（{ $width }×{ $height }）
meter-levels = 峰值 { $peak } dBFS  均方根 { $rms } dBFS
clip = 削波
clip-tip = 电平达到满刻度（0 dBFS）时亮起

## 内置音源与视频源的名称（设备自身的名称保持不变）

device-default = 默认 – { $name }
device-test-tone = 测试音
device-test-pattern = 测试图案
device-test-canvas = 测试画布
device-screen = 屏幕
device-window = 窗口
device-display = 屏幕或窗口（询问）
device-system-sound = 系统声音 – { $output }

## 控制、格式与质量

record = 录制
record-tip = 开始录制（空格）
starting-in = { $seconds } 秒后开始…
starting-in-tip = 点击，或按 Esc 或空格取消：不会录制任何内容
start-after = 延时开始
start-after-tip = 按下“录制”后倒计时多久才开始录制
start-after-off = 立即
pause = 暂停
pause-tip = 暂停；计时也随之停止（P）
resume = 继续
resume-tip = 继续录制（P）
stop = 停止
stop-tip = 停止并保留录音（空格）
timer-tip = 已录制的时长（不含暂停）
format = 格式
video-bitrate = 视频
video-bitrate-tip = 视频码率
sound-bitrate = 声音
quality = 音质
saved-every = 保存间隔
saved-every-tip = 录音多久安全写入磁盘一次（时间片）

## 录音列表

recordings = 录音
nothing-recorded = 还没有录音。按“录制”（或空格键）开始。
recording-name = 录音 { $when }
recording-fallback-name = 录音
status-recording = 录制中…
status-recovered = 已恢复：应用在录制完成前关闭了
status-saved = 已保存到 { $path }
ended-early = 提前结束：{ $reason }
name = 名称
name-tip = 单击选中（Ctrl+S 保存它），双击重命名
rename = 重命名
play = 播放
play-tip = 听一听
stop-playing = 停止播放
save-as = 保存…
save-as-tip = 另存为文件（Ctrl+S 保存选中的录音）
delete = 删除
delete-tip = 删除这段录音

## 对话框与错误横幅

problem = 问题：
dismiss = 关闭
delete-question = 删除这段录音？
delete-warning = “{ $name }”将被永久删除。
keep-it = 保留
save-recording = 保存录音
no-save-dialog = 无法显示保存对话框：{ $reason }。
save-to = 保存到：
save = 保存
cancel = 取消

## 窗口收到的消息

recorder-stopped = 录音引擎已停止
recorder-busy = 录音引擎正忙：请稍后再试
busy-microphone = 录制时不能更换麦克风
busy-video = 录制时不能更换视频源
busy-format = 录制时不能更改格式
format-unsupported = 不支持 { $mime }
no-microphone-open = 没有打开的麦克风：请先选择一个
cannot-start-recording = 无法开始录制：{ $reason }
name-needed = 录音需要一个名称
cannot-delete-busy = 正在录制或保存的录音不能删除
cannot-delete = 无法删除“{ $name }”：{ $reason }
deleted = 已删除“{ $name }”
save-dialog-cannot-start = 保存对话框无法启动（{ $reason }）
save-dialog-failed = 保存对话框未能打开
dialogs-off = 系统对话框已关闭
no-display-for-dialog = 没有可显示保存对话框的屏幕
display-not-running = 显示器 { $display } 未运行
cannot-start-saving = 无法开始保存：{ $reason }
save-thread-failed = 保存线程崩溃了
saved = 已将“{ $name }”保存到 { $path }
saved-chunks-kept = 已保存，但其分块未能删除：{ $reason }
saved-with-gaps = 已将“{ $name }”保存到 { $path }，其中无法使用的部分未包含（{ $skipped }）；其分块保留在 { $session }
cannot-save = 无法保存“{ $name }”：{ $reason }
cannot-play-now = 现在无法播放这段录音
cannot-play = 无法播放“{ $name }”：{ $reason }
playback-stopped = 播放已停止：{ $reason }
output-no-answer = 音频输出没有响应
no-output-device = 没有音频输出设备
cannot-open-output = 无法打开音频输出：{ $reason }
cannot-start-output = 无法启动音频输出：{ $reason }
output-stopped = 音频输出已停止
cannot-read = 无法读取 { $path }：{ $reason }
cannot-decode = 无法解码：{ $reason }
it-ended = 已结束
device-not-connected = { $device } 未连接
device-cannot-open = 无法打开 { $device }（{ $reason }）
device-disconnected = { $device } 已断开
device-stopped = { $device } 已停止（{ $reason }）
using-instead = { $problems }：改用 { $device }
no-audio-source = 无法打开任何音源：{ $problems }
video-cannot-open = 无法打开 { $source }（{ $reason }）：仅录制声音
video-stopped-sound-only = { $source } 已停止（{ $reason }）：仅录制声音
video-stopped-recording-goes-on = { $source } 已停止（{ $reason }）；录制继续，仅保留声音
microphone-stopped-recording-goes-on = { $device } 已停止（{ $reason }）；录制继续，仅保留画面
device-lost-recording-stopped = { $device }：{ $reason }。录制已停止；前 { $seconds } 秒已保留。
settings-damaged = 设置文件已损坏（{ $detail }）
settings-future = 设置文件来自更新版本的 MediaRecorder（格式 { $version }；本版本最高读取 { $supported }）
settings-unreadable = 无法读取设置文件（{ $detail }）
settings-set-aside = { $problem }。原文件已另存为 { $path }；正在使用默认设置。
settings-left-alone = { $problem }。正在使用默认设置（原文件保持不变）。

## 命令行：帮助

cli-about = 像浏览器的 MediaRecorder 一样，将麦克风、摄像头和屏幕录制为 Ogg Opus 或 WebM
cli-long-about =
    像浏览器的 MediaRecorder 一样，将麦克风、摄像头和屏幕录制为 Ogg Opus 或 WebM。

    不带命令时打开录音窗口。录音边录边分块写入磁盘，崩溃时最多丢失最后一秒：`mediarecorder recover` 可将保留的部分恢复为可播放的文件。
cli-examples =
    示例：
      mediarecorder                                     打开窗口
      mediarecorder devices                             列出麦克风、摄像头和屏幕
      mediarecorder record --duration 10 -o memo.ogg    用默认麦克风录制十秒
      mediarecorder record --video screen:0 -o screen.webm
      mediarecorder recover --list                      未完成的录音
cli-usage = 用法：
cli-commands = 命令
cli-options = 选项
cli-arguments = 参数
cli-help = 显示帮助
cli-version = 显示版本
cli-devices = 列出采集设备（用于 `record --audio` 和 `--video` 的 id）
cli-devices-json = 以浏览器 MediaDeviceInfo 的格式输出 JSON
cli-record = 录制到时长结束或按下 Ctrl+C，然后写入文件
cli-record-examples =
    示例：
      mediarecorder record --audio test:tone --duration 3 -o tone.ogg
      mediarecorder record --mime 'audio/webm;codecs=opus' --timeslice 1000 -o memo.webm
      mediarecorder record --video 'test:pattern?w=1280&h=720&fps=30' --mime 'video/webm;codecs=av1,opus' -o clip.webm
cli-record-audio = 音频设备 id：`default`、`devices` 列出的 id、`system`（扬声器播放的声音）或 `test:tone[?hz=F]`；给出多次时，各声源混合为一条音轨。省略时：默认麦克风；没有麦克风时为测试音
cli-record-no-audio = 不录制音频（仅视频的文件；需要 --video）
cli-record-echo-cancellation = 回声消除：从每个麦克风中去除扬声器播放的声音（系统声音），同浏览器的 echoCancellation；麦克风默认开启，系统声音和测试音源默认关闭
cli-record-noise-suppression = 降噪（RNNoise，停顿处进一步降低噪声），同浏览器的 noiseSuppression；麦克风默认开启，系统声音和测试音源默认关闭
cli-record-auto-gain = 自动增益：将语音调整到 -20 dBFS 左右，绝不削波，同浏览器的 autoGainControl；麦克风默认开启，系统声音和测试音源默认关闭
cli-record-pause-on-silence = 声音低于 DBFS（默认 -45）持续半秒时暂停；声音恢复时继续录制，并保留其前四分之一秒
cli-paused-on-silence = 已暂停：静音
cli-resumed-on-sound = 已继续：有声音
cli-record-video = `devices` 列出的视频设备 id：`camera:0[?w=1280&h=720&fps=30]`、`screen:0[?fps=15]`、屏幕区域 `screen:0?x=0&y=0&w=1280&h=720`、窗口 `window:0x1e00007`、`test:pattern[?w=640&h=480&fps=30]`、`test:canvas`
cli-record-cursor = 屏幕或窗口录制中的鼠标指针：`embedded`（绘入画面，默认）或 `hidden`（隐藏）
cli-record-video-bitrate = 视频码率，单位 bit/s（默认 2500000）
cli-record-key-frame-interval = 至少每 MS 毫秒（`500`）或每 N 帧（`15f`）一个关键帧，同网页的 videoKeyFrameIntervalDuration / Count；每个分块也以关键帧开始
cli-key-frame-interval-invalid = “{ $value }”不是间隔：毫秒（500）或帧数（15f）
cli-record-mime = 容器与编码，例如 `audio/ogg;codecs=opus`、`audio/webm;codecs=opus`、`video/webm;codecs=vp9,opus`、`video/webm;codecs=av1,opus`（默认：由输出文件的扩展名和轨道决定）
cli-record-timeslice = 每录制这么多毫秒的媒体就交付一次数据
cli-record-duration = 录制这么多秒后停止（默认：直到按下 Ctrl+C）
cli-record-audio-bitrate = 音频码率，单位 bit/s（默认 128000）
cli-record-cbr = 使用恒定码率而非可变码率
cli-recover = 将尚未保存的录音（未完成的，或文件未能写入的）写成可播放的文件
cli-recover-list = 列出尚未保存的录音
cli-recover-session = 会话 id 或目录（默认：最近一段尚未保存的录音）
cli-output = 输出文件
cli-force = 输出文件已存在时覆盖它
cli-completions = 输出 shell 补全脚本（bash、zsh、fish、elvish、powershell）
cli-completions-shell = shell 名称
cli-man = 输出手册页（roff 格式，安装于 man1）
cli-man-command = 改为输出此命令的手册页（devices、record、recover、completions、man）
cli-no-such-command = 没有“{ $name }”这个命令

## 命令行：输出信息

cli-no-unfinished = 没有等待保存的录音。
cli-nothing-to-recover = 没有等待保存的录音
cli-cannot-recover = 无法恢复 { $path }
cli-recovered = 已恢复 { $path }（{ $seconds } 秒，{ $bytes } 字节，{ $chunks } 个分块）
cli-session-not-removed = 无法删除会话目录：{ $reason }
cli-no-microphone = 未找到麦克风；可使用测试音。
cli-no-camera = 未找到摄像头；可使用屏幕（有显示器时）和测试视频。
cli-mime-unsupported = 不支持 MIME 类型“{ $mime }”（可试试 audio/ogg;codecs=opus、audio/webm;codecs=opus 或 video/webm;codecs=vp8,opus）
cli-video-needs-webm = 视频录制为 WebM 或 MP4：请将输出文件命名为 .webm 或 .mp4
cli-output-required = 需要 --output
cli-output-exists = { $path } 已存在（使用 --force 覆盖）
cli-output-dir-missing = 输出目录不存在：{ $path }
cli-output-dir-unwritable = 无法写入输出目录 { $path }
cli-cannot-clean-up = 无法清理 { $path }
cli-low-space = 警告：{ $path } 仅剩 { $megabytes } MB 可用空间（按此码率约可录 { $minutes } 分钟）。
unfinished-recordings = 有 { $count } 段较早的录音未完成：请查看 `mediarecorder recover --list`。
cli-recording-test-tone = 未找到麦克风：正在录制测试音。
cli-cannot-open = 无法打开 { $ids }
cli-cannot-keep-token = 无法保存屏幕共享许可以供下次使用：{ $reason }
cli-ctrlc = 无法设置 Ctrl+C 处理
cli-recording = 正在以 { $mime } 录制 { $label } …（按 Ctrl+C 停止）
cli-chunk = 分块 { $n }：{ $bytes } 字节，位于 { $seconds } 秒
cli-error-while-recording = 录制时出错：{ $reason }
cli-recorder-gone = 录音引擎意外退出
cli-track-stopped = { $track } 已停止：{ $reason }
cli-track-stopped-going-on = { $track } 已停止：{ $reason }；其余轨道继续录制
cli-no-session = 录音引擎没有写入任何会话
cli-cannot-write = 无法写入 { $path }；录音保留在 { $session }，`mediarecorder recover { $id } -o FILE` 可将其写出
disk-full = 磁盘已满
cli-wrote = 已写入 { $path }（{ $seconds } 秒，{ $bytes } 字节，{ $chunks } 个分块；丢弃 { $buffers } 个缓冲区，{ $overrun } 个溢出帧）
cli-video-summary = 视频：{ $encoder }；已编码 { $encoded } 帧，丢弃 { $dropped } 帧（交付 { $percent } %）
cli-ended-early = 录制提前结束；已录制的内容在 { $path }
cli-cannot-open-window = 无法打开窗口（是否有显示器？`mediarecorder record` 无需显示器即可使用）
cli-no-window-feature = 构建时未包含窗口（功能 `app`）：请使用 `mediarecorder record`，或 --help
cli-cannot-print-manual = 无法输出手册

# "Area…": part of a screen.
area-button = 区域…
area-tip = 只录制屏幕的一部分：在静止画面上拖动选择
area-title = 选择区域
area-hint = 在画面上拖动，选择要录制的部分。
area-still = 屏幕静止画面
area-chosen = { $w }×{ $h }，位于 ({ $x }, { $y })
area-none = 尚未选择。
area-use = 录制此区域
area-whole = 整个屏幕
area-label = { $source }，区域 { $w }×{ $h }，位于 ({ $x }, { $y })

# The microphone's dropdown: the system's sound mixed in.
also-system-sound = 同时录制系统声音
also-system-sound-tip = 扬声器播放的声音，与麦克风混合为一条音轨
cancel-echo = 消除回声
cancel-echo-tip = 回声消除：从麦克风中去除扬声器播放的声音，同浏览器的 echoCancellation
reduce-noise = 降噪
reduce-noise-tip = 对麦克风降噪（RNNoise），同浏览器的 noiseSuppression
even-out-volume = 均衡音量
even-out-volume-tip = 自动增益：将人声调整到稳定的音量，绝不削波
pause-on-silence = 静音时暂停
pause-on-silence-tip = 声音低于 -45 dBFS 持续半秒时暂停录制，声音恢复时继续，并保留其前四分之一秒
silent = 静音
silent-tip = 输入已低于 -45 dBFS 半秒：静音时暂停的录制此刻会暂停
