#!/usr/bin/env bash
# make-video.sh - regenerate a course's narrated orientation video from its script.
#
# Usage (from anywhere):
#   content/tools/make-video.sh [COURSE_DIR]
# COURSE_DIR defaults to content/social-media (next to this tools/ directory).
#
# Input:   COURSE_DIR/media/orientation-script.txt (format described at the top of that file:
#          "== Title" starts a slide, "- text" is a bullet on it, "> sentence" is one narrated sentence).
# Output:  COURSE_DIR/media/orientation.mp4  H.264 (yuv420p, 854x480, 5 fps) + AAC (mono, 44.1 kHz), +faststart
#          COURSE_DIR/media/orientation.vtt  WebVTT captions, one cue per narrated sentence (long sentences are
#                                            split into cues of at most two lines), contiguous from 0 to the end
#          COURSE_DIR/media/orientation.md  transcript (Markdown: one heading per slide with its start time)
#          COURSE_DIR/media/poster.png       the first slide, used as the player's poster image
#
# Needs (Debian packages): ffmpeg (ffmpeg and ffprobe, built with libx264 and libfreetype), espeak-ng,
# fonts-dejavu-core, plus coreutils and awk:
#   apt-get install -y ffmpeg espeak-ng fonts-dejavu-core
#
# How it works:
#   1. Every narrated sentence is spoken by espeak-ng (voice en-gb, 150 words per minute) into its own WAV file,
#      converted to raw 16-bit PCM, and its length is measured in samples.
#   2. The narration track is those sentences joined with fixed pauses (a short lead-in per slide, a pause after
#      each sentence, and a tail that rounds every slide up to a whole number of video frames), so each slide's
#      length and every caption's start and end time come from the real length of the spoken audio.
#   3. Each slide is drawn into a PNG by ffmpeg's drawtext filter with DejaVu Sans, then shown for exactly its
#      slide's length; the slides are concatenated and muxed with the narration into the MP4.
#
# Idempotent and reproducible: everything is built in a temporary directory and the four outputs are replaced
# only when all of them were made; with the same script and the same tool versions the output is the same
# (single-threaded x264, bit-exact flags, no metadata). Runs in well under a minute.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
course=${1:-$here/../social-media}
course=$(cd "$course" && pwd)
media=$course/media
script=$media/orientation-script.txt
[[ -f $script ]] || { echo "make-video: no script at $script" >&2; exit 1; }

for tool in ffmpeg ffprobe espeak-ng awk fold; do
	command -v "$tool" >/dev/null || {
		echo "make-video: $tool is missing (apt-get install -y ffmpeg espeak-ng fonts-dejavu-core)" >&2
		exit 1
	}
done
font_dir=/usr/share/fonts/truetype/dejavu
font=$font_dir/DejaVuSans.ttf
font_bold=$font_dir/DejaVuSans-Bold.ttf
[[ -f $font && -f $font_bold ]] || { echo "make-video: DejaVu fonts missing (apt-get install -y fonts-dejavu-core)" >&2; exit 1; }

# Picture and sound settings.
W=854 H=480 FPS=5
SR=22050                      # espeak-ng's native sample rate; all timing is computed in samples at this rate
VOICE=en-gb SPEED=150 PITCH=45
LEAD=$((SR * 3 / 10))         # silence at the start of each slide (0.3 s)
GAP=$((SR * 45 / 100))        # pause after each sentence (0.45 s)
TAIL=$((SR * 5 / 10))         # extra pause at the end of each slide (0.5 s)
FRAME=$((SR / FPS))           # samples per video frame; each slide is rounded up to whole frames
CAPTION_WIDTH=42              # characters per caption line; a cue has at most two lines
BG=0xF4F7F9 BAND=0x0B4F6C INK=0x1B2A34 ACCENT=0x2A9D8F MUTED=0x5B6B75

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# --- 1. Parse the script into slides: slide-N.title, slide-N.bullets (one per line), slide-N.say (one per line).
n=0
while IFS= read -r line || [[ -n $line ]]; do
	line=${line%$'\r'}
	case $line in
	'== '*) n=$((n + 1)); printf '%s' "${line#== }" >"slide-$n.title"; : >"slide-$n.bullets"; : >"slide-$n.say" ;;
	'- '*) ((n > 0)) || { echo "make-video: bullet before the first slide" >&2; exit 1; }; printf '%s\n' "${line#- }" >>"slide-$n.bullets" ;;
	'> '*) ((n > 0)) || { echo "make-video: narration before the first slide" >&2; exit 1; }; printf '%s\n' "${line#> }" >>"slide-$n.say" ;;
	'#'* | '') ;;
	*) echo "make-video: cannot read line: $line" >&2; exit 1 ;;
	esac
done <"$script"
slides=$n
((slides > 0)) || { echo "make-video: the script has no slides" >&2; exit 1; }

# The caption cutter: reads one narrated sentence, prints its cues as start<TAB>end<TAB>text (in samples).
# It cuts after punctuation where it can (fewest, most even cues), and balances each cue's two lines.
read -r -d '' cues_awk <<'AWK' || true
# Cut one narrated sentence (the input line) into caption cues of at most two lines of `width` characters,
# preferring to cut after punctuation, and time them in proportion to their length within [start, start+len].
# Prints start<TAB>end<TAB>text, with the two lines of a cue joined by a literal \n.
function piece(a, b,   k, s) { s = u[a]; for (k = a + 1; k <= b; k++) s = s " " u[k]; return s }
function split_at(s,   k, d, bd, best) {
	if (length(s) <= width) return 0
	bd = -1; best = -1
	for (k = 2; k < length(s); k++) if (substr(s, k, 1) == " " && k - 1 <= width && length(s) - k <= width) {
		d = (k - 1) - (length(s) - k); if (d < 0) d = -d
		if (bd < 0 || d < bd) { bd = d; best = k }
	}
	return best
}
{
	nw = split($0, w, " "); n = 0; cur = ""; first = 0
	for (k = 1; k <= nw; k++) {
		cur = (cur == "") ? w[k] : cur " " w[k]
		if (cur == w[k]) first = k
		if (w[k] ~ /[,.:;?!]$/ || k == nw) {
			if (split_at(cur) >= 0) u[++n] = cur
			else for (m = first; m <= k; m++) u[++n] = w[m]
			cur = ""
		}
	}
	cost[0] = 0
	for (i = 1; i <= n; i++) {
		cost[i] = -1
		for (j = 0; j < i; j++) {
			if (cost[j] < 0) continue
			s = piece(j + 1, i)
			if (split_at(s) < 0) continue
			c = cost[j] + 4 * width * width + length(s) * length(s)
			if (cost[i] < 0 || c < cost[i]) { cost[i] = c; from[i] = j }
		}
	}
	if (cost[n] < 0) { print "make-video: cannot caption: " $0 > "/dev/stderr"; exit 1 }
	nc = 0
	for (i = n; i > 0; i = from[i]) cue[++nc] = piece(from[i] + 1, i)
	total = 0
	for (k = 1; k <= nc; k++) total += length(cue[k])
	t = start; done = 0
	for (k = nc; k >= 1; k--) {
		s = cue[k]; done += length(s)
		end = (k == 1) ? start + len : start + int(len * done / total)
		b = split_at(s)
		if (b > 0) s = substr(s, 1, b - 1) "\\n" substr(s, b + 1)
		printf "%d\t%d\t%s\n", t, end, s
		t = end
	}
}
AWK

# Time stamps: samples -> "HH:MM:SS.mmm" (WebVTT) and "M:SS" (transcript).
vtt_time() { awk -v s="$1" -v r="$SR" 'BEGIN { ms = int(s * 1000 / r + 0.5); printf "%02d:%02d:%02d.%03d", int(ms/3600000), int(ms/60000)%60, int(ms/1000)%60, ms%1000 }'; }
short_time() { awk -v s="$1" -v r="$SR" 'BEGIN { t = int(s / r); printf "%d:%02d", int(t/60), t%60 }'; }
wrap() { fold -s -w "$2" <<<"$1" | sed 's/ *$//'; }

# --- 2. Speak every sentence; build the narration track and the caption cues.
: >narration.raw
: >cues.tsv                   # start<TAB>end<TAB>text (samples), one line per cue, before joining
pos=0
for ((i = 1; i <= slides; i++)); do
	slide_start=$pos
	echo "$slide_start" >"slide-$i.start"
	head -c $((LEAD * 2)) /dev/zero >>narration.raw
	pos=$((pos + LEAD))
	j=0
	while IFS= read -r sentence; do
		j=$((j + 1))
		printf '%s\n' "$sentence" >s.txt
		espeak-ng -v "$VOICE" -s "$SPEED" -p "$PITCH" -f s.txt -w s.wav
		ffmpeg -nostdin -loglevel error -y -i s.wav -f s16le -ac 1 -ar "$SR" s.raw
		len=$(($(stat -c %s s.raw) / 2))
		cat s.raw >>narration.raw
		# Cut the sentence into cues of at most two lines, timed in proportion to their length.
		printf '%s\n' "$sentence" | awk -v width="$CAPTION_WIDTH" -v start="$pos" -v len="$len" "$cues_awk" >>cues.tsv
		pos=$((pos + len))
		head -c $((GAP * 2)) /dev/zero >>narration.raw
		pos=$((pos + GAP))
	done <"slide-$i.say"
	((j > 0)) || { echo "make-video: slide $i has no narration" >&2; exit 1; }
	end=$((pos + TAIL))
	end=$(((end + FRAME - 1) / FRAME * FRAME))
	head -c $(((end - pos) * 2)) /dev/zero >>narration.raw
	pos=$end
	echo $((end - slide_start)) >"slide-$i.len"
done
total=$pos

# Captions: every cue runs until the next one starts, the first starts at 0 and the last ends with the video,
# so the captions cover the whole video.
{
	echo "WEBVTT"
	echo
	mapfile -t rows <cues.tsv
	count=${#rows[@]}
	for ((k = 0; k < count; k++)); do
		IFS=$'\t' read -r start _ text <<<"${rows[k]}"
		((k > 0)) || start=0
		if ((k + 1 < count)); then
			IFS=$'\t' read -r end _ <<<"${rows[k + 1]}"
		else
			end=$total
		fi
		echo "$((k + 1))"
		echo "$(vtt_time "$start") --> $(vtt_time "$end")"
		printf '%b\n\n' "$text"
	done
} >orientation.vtt

# Transcript: one heading per slide with the time it starts, then its narration as a paragraph.
{
	echo "# Orientation video transcript: $(cat slide-1.title)"
	for ((i = 1; i <= slides; i++)); do
		echo
		echo "## $(cat "slide-$i.title") ($(short_time "$(cat "slide-$i.start")"))"
		echo
		paste -sd' ' "slide-$i.say" | fold -s -w 100 | sed 's/ *$//'
	done
} >orientation.md

# --- 3. Draw the slides.
for ((i = 1; i <= slides; i++)); do
	wrap "$(cat "slide-$i.title")" 36 >"t$i.txt"
	tlines=$(wc -l <"t$i.txt")
	band=$((44 + tlines * 44 + 20))
	filters="drawbox=x=0:y=0:w=iw:h=$band:color=$BAND:t=fill"
	filters+=",drawbox=x=0:y=$band:w=iw:h=6:color=$ACCENT:t=fill"
	filters+=",drawtext=fontfile=$font_bold:textfile=t$i.txt:expansion=none:fontsize=34:fontcolor=0xFFFFFF:line_spacing=10:x=50:y=44"
	y=$((band + 40))
	b=0
	while IFS= read -r bullet; do
		b=$((b + 1))
		wrap "$bullet" 54 >"b$i-$b.txt"
		blines=$(wc -l <"b$i-$b.txt")
		filters+=",drawbox=x=56:y=$((y + 8)):w=10:h=10:color=$ACCENT:t=fill"
		filters+=",drawtext=fontfile=$font:textfile=b$i-$b.txt:expansion=none:fontsize=24:fontcolor=$INK:line_spacing=8:x=84:y=$y"
		y=$((y + blines * 32 + 18))
	done <"slide-$i.bullets"
	printf '%s' "Social Media Guidelines for Employees" >footer.txt
	printf '%s' "$i / $slides" >"n$i.txt"
	filters+=",drawtext=fontfile=$font:textfile=footer.txt:expansion=none:fontsize=16:fontcolor=$MUTED:x=50:y=h-36"
	filters+=",drawtext=fontfile=$font:textfile=n$i.txt:expansion=none:fontsize=16:fontcolor=$MUTED:x=w-tw-50:y=h-36"
	ffmpeg -nostdin -loglevel error -y -f lavfi -i "color=c=$BG:s=${W}x$H" -frames:v 1 \
		-vf "$filters" -flags +bitexact "slide-$i.png"
done

# --- 4. Encode: each slide shown for exactly its length, then the narration.
inputs=()
graph=""
for ((i = 1; i <= slides; i++)); do
	dur=$(awk -v s="$(cat "slide-$i.len")" -v r="$SR" 'BEGIN { printf "%.6f", s / r }')
	inputs+=(-loop 1 -framerate "$FPS" -t "$dur" -i "slide-$i.png")
	graph+="[$((i - 1)):v]"
done
graph+="concat=n=$slides:v=1:a=0,format=yuv420p[v]"
duration=$(awk -v s="$total" -v r="$SR" 'BEGIN { printf "%.6f", s / r }')
ffmpeg -nostdin -loglevel error -y "${inputs[@]}" -f s16le -ar "$SR" -ac 1 -i narration.raw \
	-filter_complex "$graph" -map '[v]' -map "$slides:a" \
	-c:v libx264 -preset slow -tune stillimage -crf 28 -r "$FPS" -g $((FPS * 10)) -threads 1 \
	-pix_fmt yuv420p -profile:v high -level 3.1 \
	-c:a aac -b:a 64k -ar 44100 -ac 1 \
	-t "$duration" -map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact \
	-movflags +faststart orientation.mp4

# --- 5. Replace the outputs only now that everything was made.
cp "slide-1.png" poster.png
for f in orientation.mp4 orientation.vtt orientation.md poster.png; do
	cp "$f" "$media/.$f.new"
done
for f in orientation.mp4 orientation.vtt orientation.md poster.png; do
	mv -f "$media/.$f.new" "$media/$f"
done
echo "make-video: $slides slides, $(awk -v s="$total" -v r="$SR" 'BEGIN { printf "%.1f", s / r }') s," \
	"$(grep -c -- '-->' "$media/orientation.vtt") caption cues, $(stat -c %s "$media/orientation.mp4") bytes"
