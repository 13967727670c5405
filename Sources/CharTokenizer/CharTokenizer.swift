// CharTokenizer
