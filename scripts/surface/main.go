// Command surface counts a package's public surface the way issue 23 ("One
// generic core") counts it: exported types, functions, methods of exported
// types, exported struct fields, interface methods and exported values
// (constants and variables), in the package's non-test files. Build
// constraints are ignored: every non-test .go file of the directory counts.
//
//	go run ./scripts/surface host vector     # one line per directory: its count
//	go run ./scripts/surface -v host         # and every identifier, sorted
//
// It exits with status 1, naming the file, when a file does not parse.
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	verbose := flag.Bool("v", false, "list every exported identifier")
	flag.Parse()
	for _, dir := range flag.Args() {
		names, err := exported(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "surface:", err)
			os.Exit(1)
		}
		if *verbose {
			for _, n := range names {
				fmt.Println("  " + n)
			}
		}
		fmt.Printf("%s\t%d\n", dir, len(names))
	}
}

// exported returns the exported identifiers of the non-test files in dir,
// each as "<kind> <name>", sorted.
func exported(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var names []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range af.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				names = append(names, funcName(d)...)
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					names = append(names, specNames(sp)...)
				}
			}
		}
	}
	sort.Strings(names)
	return names, nil
}

// funcName is d's entry: a function, or a method of an exported type.
func funcName(d *ast.FuncDecl) []string {
	if !d.Name.IsExported() {
		return nil
	}
	if d.Recv == nil {
		return []string{"func " + d.Name.Name}
	}
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch ix := t.(type) { // a generic receiver: T[P] or T[P, Q]
	case *ast.IndexExpr:
		t = ix.X
	case *ast.IndexListExpr:
		t = ix.X
	}
	if id, ok := t.(*ast.Ident); ok && id.IsExported() {
		return []string{"method " + id.Name + "." + d.Name.Name}
	}
	return nil
}

// specNames are the entries of one type or value spec: an exported type
// with its exported fields or interface methods, or exported values.
func specNames(sp ast.Spec) []string {
	var names []string
	switch sp := sp.(type) {
	case *ast.TypeSpec:
		if !sp.Name.IsExported() {
			return nil
		}
		names = append(names, "type "+sp.Name.Name)
		var members *ast.FieldList
		switch t := sp.Type.(type) {
		case *ast.StructType:
			members = t.Fields
		case *ast.InterfaceType:
			members = t.Methods
		}
		if members != nil {
			for _, fl := range members.List {
				for _, n := range fl.Names {
					if n.IsExported() {
						names = append(names, "member "+sp.Name.Name+"."+n.Name)
					}
				}
			}
		}
	case *ast.ValueSpec:
		for _, n := range sp.Names {
			if n.IsExported() {
				names = append(names, "value "+n.Name)
			}
		}
	}
	return names
}
