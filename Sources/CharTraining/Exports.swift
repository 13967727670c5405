// Code that trains imports CharTraining alone: the network, the tokenizer and the model file come with it.
@_exported import CharModel
@_exported import CharModelFile
@_exported import CharTokenizer
