package catalog

import (
	"bytes"
	"encoding/binary"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// box builds an MP4 box with a 32-bit size.
func box(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	out := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(out, typ...), body...)
}

// mvhd builds a movie header payload (only the fields the parser reads,
// padded as a real one would be).
func mvhd(version byte, timescale uint32, duration uint64) []byte {
	b := []byte{version, 0, 0, 0}
	if version == 1 {
		b = binary.BigEndian.AppendUint64(b, 1) // creation
		b = binary.BigEndian.AppendUint64(b, 2) // modification
		b = binary.BigEndian.AppendUint32(b, timescale)
		b = binary.BigEndian.AppendUint64(b, duration)
	} else {
		b = binary.BigEndian.AppendUint32(b, 1)
		b = binary.BigEndian.AppendUint32(b, 2)
		b = binary.BigEndian.AppendUint32(b, timescale)
		b = binary.BigEndian.AppendUint32(b, uint32(duration))
	}
	return append(b, make([]byte, 80)...) // rate, volume, matrix, next track ID…
}

var ftyp = box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2avc1mp41"))

func TestMP4Duration(t *testing.T) {
	t.Parallel()
	largeMdat := func() []byte { // a box with a 64-bit size
		b := binary.BigEndian.AppendUint32(nil, 1)
		b = append(b, "mdat"...)
		b = binary.BigEndian.AppendUint64(b, 16+4)
		return append(b, 1, 2, 3, 4)
	}()
	toEnd := append(binary.BigEndian.AppendUint32(nil, 0), "mdat\x01\x02\x03"...)
	for _, tc := range []struct {
		name string
		file []byte
		want float64
		err  string
	}{
		{"version 0", cat(ftyp, box("moov", box("mvhd", mvhd(0, 1000, 20000)))), 20, ""},
		{"version 1", cat(ftyp, box("moov", box("mvhd", mvhd(1, 600, 90*600+300)))), 90.5, ""},
		{"moov after a 64-bit mdat", cat(ftyp, largeMdat, box("moov", box("free"), box("mvhd", mvhd(0, 90000, 45000)))), 0.5, ""},
		{"mdat to the end of the file", cat(ftyp, box("moov", box("mvhd", mvhd(0, 1, 7))), toEnd), 7, ""},
		{"empty", nil, 0, "only 0 bytes long"},
		{"text", []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"), 0, "not an MP4 file"},
		{"truncated", cat(ftyp, box("moov", box("mvhd", mvhd(0, 1000, 20000))))[:60], 0, "box \"moov\" at byte 32 is longer than the file: the file is truncated"},
		{"header cut short", cat(ftyp, []byte{0, 0, 0}), 0, "ends in the middle of a box header at byte 32"},
		{"garbage after ftyp", cat(ftyp, []byte{0, 0, 0, 20, 0xff, 0xfe, 0, 1}, make([]byte, 12)), 0, "not an MP4 box header"},
		{"impossible size", cat(ftyp, []byte{0, 0, 0, 4}, []byte("moov")), 0, "impossible size 4"},
		{"no moov", cat(ftyp, box("mdat", []byte("data"))), 0, "no moov box"},
		{"no mvhd", cat(ftyp, box("moov", box("trak"))), 0, "no mvhd"},
		{"short mvhd", cat(ftyp, box("moov", box("mvhd", []byte{0, 0, 0, 0, 1}))), 0, "too short"},
		{"version 2", cat(ftyp, box("moov", box("mvhd", mvhd(2, 1, 1)))), 0, "unknown version 2"},
		{"timescale 0", cat(ftyp, box("moov", box("mvhd", mvhd(0, 0, 1)))), 0, "timescale of 0"},
		{"unknown duration", cat(ftyp, box("moov", box("mvhd", mvhd(0, 1000, 0xFFFFFFFF)))), 0, "no duration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mp4Duration(bytes.NewReader(tc.file), int64(len(tc.file)))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("duration = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// sparseFile is a huge file made of a few known byte ranges and zeros,
// counting what is read from it.
type sparseFile struct {
	size  int64
	parts map[int64][]byte
	read  int
}

func (s *sparseFile) ReadAt(p []byte, off int64) (int, error) {
	s.read += len(p)
	clear(p)
	for at, b := range s.parts {
		for i := range b {
			if j := at + int64(i) - off; j >= 0 && j < int64(len(p)) {
				p[j] = b[i]
			}
		}
	}
	if off+int64(len(p)) > s.size {
		return int(max(0, s.size-off)), io.EOF
	}
	return len(p), nil
}

// A 5 GB video with its moov at the end costs a few header reads.
func TestMP4DurationLargeFile(t *testing.T) {
	t.Parallel()
	const mdatSize = 5 << 30
	mdatHeader := binary.BigEndian.AppendUint32(nil, 1)
	mdatHeader = append(mdatHeader, "mdat"...)
	mdatHeader = binary.BigEndian.AppendUint64(mdatHeader, mdatSize)
	moov := box("moov", box("mvhd", mvhd(1, 1000, 3600_000)))
	moovAt := int64(len(ftyp)) + mdatSize
	f := &sparseFile{
		size:  moovAt + int64(len(moov)),
		parts: map[int64][]byte{0: ftyp, int64(len(ftyp)): mdatHeader, moovAt: moov},
	}
	got, err := mp4Duration(f, f.size)
	if err != nil || got != 3600 {
		t.Fatalf("duration = %v, %v; want 3600", got, err)
	}
	if f.read > 1024 {
		t.Errorf("read %d bytes to find the duration; want a few headers", f.read)
	}
}

// plainFile is an fs.File that can neither seek nor read at an offset.
type plainFile struct {
	r    io.Reader
	size int64
}

func (f *plainFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *plainFile) Close() error               { return nil }
func (f *plainFile) Stat() (fs.FileInfo, error) { return fileInfo{f.size}, nil }

// seekFile can seek but not read at an offset.
type seekFile struct {
	*bytes.Reader
}

func (f seekFile) ReadAt()                    {} // hides bytes.Reader's ReadAt
func (f seekFile) Close() error               { return nil }
func (f seekFile) Stat() (fs.FileInfo, error) { return fileInfo{f.Size()}, nil }

type fileInfo struct{ size int64 }

func (i fileInfo) Name() string       { return "v.mp4" }
func (i fileInfo) Size() int64        { return i.size }
func (i fileInfo) Mode() fs.FileMode  { return 0o644 }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return false }
func (i fileInfo) Sys() any           { return nil }

func TestFileDurationWithoutReaderAt(t *testing.T) {
	t.Parallel()
	file := cat(ftyp, box("mdat", make([]byte, 1000)), box("moov", box("mvhd", mvhd(0, 10, 125))))
	for name, f := range map[string]fs.File{
		"plain":    &plainFile{r: bytes.NewReader(file), size: int64(len(file))},
		"seekable": seekFile{bytes.NewReader(file)},
	} {
		if _, ok := f.(io.ReaderAt); ok {
			t.Fatalf("%s file is an io.ReaderAt", name)
		}
		got, err := fileDuration(f)
		if err != nil || got != 12.5 {
			t.Errorf("%s: duration = %v, %v; want 12.5", name, got, err)
		}
	}
}
