// CharModel
