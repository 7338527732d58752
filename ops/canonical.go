package ops

import "strings"

// Canonical prints the operation back as a PendingWork entry: the verb in
// lower case (copy, del, move, ren, md, rd), the paths in Path.String form
// (a destination naming a folder ending in its separator), copy's /a or
// /b after each file it applies to and its sources joined by " + ", then
// the switches that differ from the defaults (copy /-y /v, del /q /f, rd
// /s /q); `copy FILE+,,` for a touch; JoinCommandLine(Argv) for
// a run (a program named like a verb is quoted). A path is quoted when it holds a space or a character cmd.exe
// treats specially (or a Unicode space a reader might trim), or could be
// read as a switch.
//
// For an Op from Parse, Parse(o.Canonical()) equals o. The result holds no
// CR or LF, and no comma outside double quotes except in the touch form,
// so it survives the PendingWork list splitter.
func (o *Op) Canonical() string {
	var b strings.Builder
	switch o.Kind {
	case KindCopy:
		if o.Touch {
			return "copy " + quotePath(o.Src.String()) + "+,,"
		}
		b.WriteString("copy " + quotePath(o.Src.String()))
		writeMode(&b, o.ASCII, o.Binary)
		for _, j := range o.Join {
			b.WriteString(" + " + quotePath(j.Path.String()))
			writeMode(&b, j.ASCII, j.Binary)
		}
		b.WriteString(" " + quotePath(dstString(o)))
		writeMode(&b, o.DstASCII, o.DstBinary)
		writeSwitch(&b, o.NoOverwrite, "/-y")
		writeSwitch(&b, o.Verify, "/v")
	case KindMove:
		b.WriteString("move " + quotePath(o.Src.String()) + " " + quotePath(dstString(o)))
	case KindRen:
		b.WriteString("ren " + quotePath(o.Src.String()) + " " + quotePath(o.NewName))
	case KindDel:
		b.WriteString("del " + quotePath(o.Src.String()))
		writeSwitch(&b, o.Quiet, "/q")
		writeSwitch(&b, o.Force, "/f")
	case KindMD:
		b.WriteString("md " + quotePath(o.Src.String()))
	case KindRD:
		b.WriteString("rd " + quotePath(o.Src.String()))
		writeSwitch(&b, o.Recursive, "/s")
		writeSwitch(&b, o.Quiet, "/q")
	case KindRun:
		for i, a := range o.Argv {
			if i > 0 {
				b.WriteByte(' ')
			}
			// A program named like a verb is quoted, or it would parse
			// as that built-in; one starting like an INI comment or
			// section is quoted too, for a reader of a continued line.
			_, verb := builtinVerb(a)
			appendArg(&b, a, i == 0 && (verb || strings.HasPrefix(a, ";") || strings.HasPrefix(a, "#") || strings.HasPrefix(a, "[")))
		}
	}
	return b.String()
}

// writeMode writes the /a or /b in effect for the file just written.
func writeMode(b *strings.Builder, ascii, binary bool) {
	writeSwitch(b, ascii, "/a")
	writeSwitch(b, binary && !ascii, "/b")
}

// dstString is o.Dst as written, with the separator that ends it when it
// names a folder (DstDir).
func dstString(o *Op) string {
	s := o.Dst.String()
	switch {
	case !o.DstDir || o.Dst.Rel == "":
	case o.Dst.Drive == "":
		s += "/"
	default:
		s += `\`
	}
	return s
}

func writeSwitch(b *strings.Builder, on bool, sw string) {
	if on {
		b.WriteString(" " + sw)
	}
}

// quotePath writes a path as a built-in's word: in double quotes when it
// holds a space or a character cmd.exe gives a meaning, or when it could
// be read as a switch (`/y` as a native path).
func quotePath(s string) string {
	if strings.ContainsAny(s, ",;=+&^%()<>|'`") || hasSpaceOrControl(s) || looksLikeSwitch(s) || s == "/?" {
		return `"` + s + `"`
	}
	return s
}
